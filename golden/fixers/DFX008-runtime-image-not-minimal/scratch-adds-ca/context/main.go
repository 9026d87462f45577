package main

import "net/http"

func main() { http.Get("https://example.com/") }
