package main

import (
	"fmt"

	"github.com/acme/orders/internal/store"
)

func main() {
	fmt.Println("worker: processed", store.Count(), "orders")
}
