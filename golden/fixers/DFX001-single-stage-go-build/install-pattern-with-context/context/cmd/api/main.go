package main

import (
	"fmt"
	"net/http"

	"github.com/acme/orders/internal/store"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "orders: %d\n", store.Count())
	})
	http.ListenAndServe(":8080", nil)
}
