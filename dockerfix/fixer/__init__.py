"""The fixer: rules that rewrite Go Dockerfiles into the recommended form."""
