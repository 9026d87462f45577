package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	cfg := flag.String("config", "configs/config.yml", "config")
	flag.Parse()
	b, err := os.ReadFile(*cfg)
	if err != nil {
		fmt.Println("config:", err)
		os.Exit(1)
	}
	loc, _ := time.LoadLocation(os.Getenv("TZ"))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s zone=%s\n", b, loc)
	})
	http.ListenAndServe(":8080", nil)
}
