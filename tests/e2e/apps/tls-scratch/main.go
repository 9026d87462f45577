package main

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

var _ = http.Get

func main() {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		fmt.Println("no system certificates")
		os.Exit(1)
	}
	fmt.Println("system certificates found")
}
