package main

import (
	"fmt"
	"net"
	"net/http"
)

func main() {
	addrs, err := net.LookupHost("localhost")
	fmt.Println("localhost:", len(addrs) > 0, err)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "n22") })
	http.ListenAndServe(":8080", nil)
}
