package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC).In(loc).Format(time.RFC3339))
}
