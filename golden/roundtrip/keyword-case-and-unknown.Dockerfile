from alpine as Build
Run echo mixed
expose 80
FROOM typo stays
CUSTOMTHING with ["json", 1]
cmd ["true"]
