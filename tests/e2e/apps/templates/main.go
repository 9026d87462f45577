package main

import (
	"html/template"
	"log"
	"net/http"
)

func main() {
	page := template.Must(template.ParseFiles("templates/index.html"))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		page.Execute(w, map[string]string{"Path": r.URL.Path})
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
