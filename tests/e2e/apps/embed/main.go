package main

import (
	"embed"
	"log"
	"net/http"
)

//go:embed assets
var assets embed.FS

func main() {
	http.Handle("/", http.FileServer(http.FS(assets)))
	log.Fatal(http.ListenAndServe(":8080", nil))
}
