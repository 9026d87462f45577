package main

import (
	"embed"
	"html/template"
)

//go:embed templates
var files embed.FS

func main() {
	template.Must(template.ParseFS(files, "templates/*.html"))
}
