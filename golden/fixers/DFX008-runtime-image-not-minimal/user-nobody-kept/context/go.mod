module example.com/who

go 1.22
