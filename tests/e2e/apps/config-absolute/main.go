package main

import (
	"fmt"
	"os"
)

func main() {
	data, err := os.ReadFile(os.Getenv("APP_CONFIG"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Print(string(data))
}
