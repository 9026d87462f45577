//go:build ignore

// gen writes the fixtures; run it with `go run gen.go`.
package main

func main() {}
