"""``python -m dockerfix``: the command line."""

from dockerfix.cli import run

if __name__ == "__main__":
    run()
