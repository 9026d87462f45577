package main

import (
	"fmt"

	"example.com/greeter/internal/greet"
)

func main() { fmt.Println(greet.Hello("container")) }
