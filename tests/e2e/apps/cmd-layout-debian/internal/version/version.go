package version

// Version is stamped at build time.
var Version = "dev"
