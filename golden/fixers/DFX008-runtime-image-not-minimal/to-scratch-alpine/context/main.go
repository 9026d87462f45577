package main

import (
	"crypto/x509"
	"fmt"
	"time"
)

// upstream is where the clock would sync from over HTTPS.
const upstream = "https://time.example.com/now"

func main() {
	pool, err := x509.SystemCertPool()
	if err != nil || pool.Equal(x509.NewCertPool()) {
		fmt.Println("no CA certificates:", err)
		return
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		fmt.Println("no time zones:", err)
		return
	}
	noon := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println("certificates loaded; would sync from", upstream, "at", noon.In(loc).Format(time.Kitchen))
}
