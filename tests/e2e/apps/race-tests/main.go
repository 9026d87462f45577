package main

import "fmt"

func main() {
	var c Counter
	c.Add()
	c.Add()
	fmt.Println("count:", c.n)
}
