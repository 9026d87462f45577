package main

import "fmt"

func main() { fmt.Println("built as the golang README says") }
