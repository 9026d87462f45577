package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("running as", os.Getuid(), os.Getgid()) }
