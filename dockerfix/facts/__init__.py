"""What a Dockerfile and its build context say: read, never edited, never executed.

The Dockerfile's side: its shell text as words (``shellwords``), the ``go`` commands in it
(``gocmd``, ``gorun``, ``buildsteps``), its Go toolchain stages and binaries (``gofacts``) and
how its stages depend on each other (``stagegraph``). The build context's side: its files
(``walk``), its Go modules (``gomodule``), its Go source (``gosource``: imports, embeds,
cgo), what the program needs at run time (``runtime``), all of it gathered in
``context.BuildContext``, and its ``.dockerignore`` (``dockerignore``).

Nothing here imports the fixer, the command line, verify or the language server.
"""
