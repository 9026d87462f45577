package main

import (
	"fmt"
	"os"
	"path/filepath"
)

const migrationsDir = "migrations"

func main() {
	entries, err := os.ReadDir(migrationsDir)
	if err != nil {
		fmt.Println("migrations:", err)
		os.Exit(1)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(migrationsDir, e.Name()))
		fmt.Printf("%s: %s", e.Name(), b)
	}
}
