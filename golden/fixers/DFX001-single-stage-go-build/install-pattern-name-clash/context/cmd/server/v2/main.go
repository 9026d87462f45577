package main

import "fmt"

func main() { fmt.Println("server v2") }
