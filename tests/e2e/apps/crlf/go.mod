module example.com/crlf

go 1.22
