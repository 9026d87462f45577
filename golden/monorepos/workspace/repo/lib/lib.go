package lib

// Greeting is what the api says.
func Greeting() string { return "hello from the workspace" }
