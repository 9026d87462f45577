package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	out, err := exec.Command("sh", "-c", "echo from a shell").Output()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Print(string(out))
}
