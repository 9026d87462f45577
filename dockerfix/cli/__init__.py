"""The command line: ``dockerfix [OPTIONS] [PATH]...``.

Thin on purpose. ``run`` is the program's entry point: it recognises an editor's
``dockerfix - --stdin-filename PATH`` (and a lone ``--version``) itself, without importing
click, and hands everything else to the click command (``command``). Both build the same
``settings.Invocation`` and run it through ``runs``; ``report``, ``diff`` and ``terminal``
render the results. Nothing here imports another part of the command line at import time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.cli.command import main as main


def _plain_stdin(argv: Sequence[str]) -> tuple[str | None] | None:
    """``(stdin filename,)`` when ``argv`` only asks to fix stdin, else None.

    ``-``, ``--stdin-filename PATH`` / ``--stdin-filename=PATH``, in any order, each at
    most once: exactly what an editor runs on save, and what click would read the same
    way. Anything else goes through click.
    """
    dash = False
    filename: str | None = None
    given = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-" and not dash:
            dash = True
        elif arg == "--stdin-filename" and not given and i + 1 < len(argv):
            filename, given = argv[i + 1], True
            i += 1
        elif arg.startswith("--stdin-filename=") and not given:
            filename, given = arg.partition("=")[2], True
        else:
            return None
        i += 1
    if not dash and not given:
        return None
    if filename is not None and filename.startswith("-") and filename != "-":
        return None  # click would read an option there
    return (filename,)


def run(argv: Sequence[str] | None = None) -> None:
    """The ``dockerfix`` program: stdin fixing on a fast path (no click), the rest by click.

    An editor runs ``dockerfix - --stdin-filename PATH`` on every save; parsing those
    three words does not need click (about 25 ms of imports), so they are recognised
    here, like a lone ``--version``; everything else is handed to the click command
    (``dockerfix.cli.command``). In a ``dockerfix`` process the stdin run also skips the
    garbage collector and the interpreter's tear-down (``_hard_exit``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # what tools ask first; click's output, without click
        from dockerfix import __version__

        sys.stdout.flush()
        sys.stdout.buffer.write(f"dockerfix {__version__}\n".encode())
        sys.stdout.buffer.flush()
        return
    if args[:1] == ["server"]:  # the language server, over stdio
        from dockerfix.server.app import main as serve

        serve()
        return
    if args[:1] == ["verify"]:  # a subcommand (a path named verify: ./verify)
        from dockerfix.cli.verify import verify

        verify(args[1:], prog_name="dockerfix verify")
        return
    plain = _plain_stdin(args)
    if plain is None:
        from dockerfix.cli.command import main as command

        command(args, prog_name="dockerfix")
        return
    from dockerfix.cli.runs import execute, is_program
    from dockerfix.cli.settings import Invocation

    program = is_program()
    if program:
        import gc

        gc.disable()  # one file, then the process ends: collecting cycles only costs ~5 ms
    from dockerfix.runner import Mode, Overrides

    (stdin_filename,) = plain
    paths = tuple(a for a in args if a == "-")
    code = execute(Invocation(paths, Mode.STDIN, Overrides(), stdin_filename=stdin_filename))
    if program:
        _hard_exit(code)
    sys.exit(code)


def _hard_exit(code: int) -> None:
    """Flush the output and end the process without tearing the interpreter down.

    Freeing every module and object at exit costs ~10 ms, a sixth of a stdin run; the
    stdin run has written all it will write (no file, no temporary file, no worker), so
    it ends like mypy does, with ``os._exit`` after flushing.
    """
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def __getattr__(name: str) -> Any:
    if name == "main":  # the click command, built on first use (imports click)
        from dockerfix.cli.command import main as command

        return command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
