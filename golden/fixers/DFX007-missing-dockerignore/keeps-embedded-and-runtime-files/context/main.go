package main

import (
	_ "embed"
	"os"
)

//go:embed USAGE.md
var usage string

func main() {
	_, _ = os.ReadFile("settings.local")
	println(usage)
}
