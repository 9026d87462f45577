module example.com/n22

go 1.22
