module example.com/nosum

go 1.22
