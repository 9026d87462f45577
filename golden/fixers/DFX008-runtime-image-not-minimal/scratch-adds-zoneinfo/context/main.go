package main

import "time"

func main() { time.LoadLocation("Europe/Paris") }
