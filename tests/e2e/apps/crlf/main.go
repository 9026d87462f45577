package main

import "fmt"

func main() { fmt.Println("windows line endings") }
