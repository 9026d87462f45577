package main

import (
	"fmt"
	"net"
)

// main resolves a name with the C library's resolver (cgo is on).
func main() {
	addrs, err := net.LookupHost("localhost")
	fmt.Println("localhost resolves:", err == nil && len(addrs) > 0)
}
