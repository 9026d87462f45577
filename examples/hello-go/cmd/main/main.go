// Command main serves a request id on :8080.
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/google/uuid"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, request %s\n", uuid.NewString())
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
