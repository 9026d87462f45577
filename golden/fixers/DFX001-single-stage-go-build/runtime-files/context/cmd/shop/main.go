package main

import (
	"html/template"
	"net/http"
	"os"
)

func main() {
	tmpl := template.Must(template.ParseGlob("templates/*.html"))
	_ = tmpl
	cfg, _ := os.ReadFile("config/app.yaml")
	_ = cfg
	http.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))
	http.ListenAndServe(":8080", nil)
}
