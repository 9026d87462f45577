package main

import (
	"fmt"
	"net"
)

func main() {
	addrs, _ := net.LookupHost("localhost")
	fmt.Println("resolved", len(addrs) > 0)
}
