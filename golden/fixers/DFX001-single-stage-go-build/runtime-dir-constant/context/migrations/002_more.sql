alter table a add y int;
