module example.com/web80

go 1.22
