"""``python -m dockerfix``: the command line."""

from dockerfix.cli import main

if __name__ == "__main__":
    main(prog_name="dockerfix")
