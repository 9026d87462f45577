// Package greet greets.
package greet

// Hello says hello to who.
func Hello(who string) string { return "hello, " + who }
