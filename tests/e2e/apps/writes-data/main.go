package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := os.MkdirAll("data", 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join("data", "journal.log"), []byte("started\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("journal written")
}
