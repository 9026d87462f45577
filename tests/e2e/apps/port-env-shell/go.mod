module example.com/portenv

go 1.22
