package main

import (
	"fmt"
	"os"
)

// load reads one translation; its path is built at run time.
func load(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "missing " + name + "\n"
	}
	return string(b)
}

func main() {
	for _, lang := range []string{"en", "fr"} {
		fmt.Print(load("i18n/" + lang + ".txt"))
	}
}
