module example.com/s1

go 1.22
