package main

import (
	"fmt"
	"time"
)

func main() {
	loc, _ := time.LoadLocation("Europe/Paris")
	fmt.Println(time.Now().In(loc))
}
