"""The Dockerfile grammar: the pre-pass lexer, the Lark grammar and BuildKit semantics."""
