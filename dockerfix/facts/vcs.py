"""Whether the build needs the repository's history: a ``RUN`` that calls git, or a
program that reads the VCS stamp ``go build`` records from it.

``git describe`` for a version, ``git rev-parse`` for a commit: such a build fails, or
stamps an empty version, once ``.git`` is left out of the build context. A ``RUN`` that
runs ``make`` or a shell script of the context is read into: the Makefile or the script
may call git too. Nothing is executed.
"""

from __future__ import annotations

import os
import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gofacts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.facts.context import BuildContext

_GIT = re.compile(r"(?:^|[\s;&|(`$\"'])git\s")
_MAKE = re.compile(r"(?:^|[\s;&|(])(?:g?make)(?:\s|$)")
_SCRIPT = re.compile(r"(?:^|[\s;&|(])(?:(?:ba|da)?sh\s+)?((?:\./)?[\w./-]+\.sh)\b")
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_MAX_READ = 256 * 1024


def _read(context: BuildContext, rel: str) -> str:
    path = os.path.join(context.directory, *rel.split("/"))
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(_MAX_READ)
    except OSError:
        return ""


def git_reason(tree: cst.Dockerfile, context: BuildContext | None) -> str | None:
    """Why the build needs ``.git`` (``RUN go build ... $(git describe)`` calls git), or None."""
    for ins in tree.instructions:
        for text, _offset in gofacts.run_scripts(ins):
            shown = " ".join(text.split())[:60]
            if _GIT.search(text):
                return f"`RUN {shown}` calls git"
            if context is None:
                continue
            if _MAKE.search(text):
                for name in _MAKEFILES:
                    if context.exists(name) and _GIT.search(_read(context, name)):
                        return f"`RUN {shown}` runs make, and {name} calls git"
            for m in _SCRIPT.finditer(text):
                rel = posixpath.normpath(m.group(1))
                for cand in (rel, posixpath.basename(rel)):
                    if context.exists(cand) and _GIT.search(_read(context, cand)):
                        return f"`RUN {shown}` runs {cand}, which calls git"
    if context is not None and context.vcs_reads and context.exists(".git"):
        return (
            f"the program reads the VCS stamp ({context.vcs_reads[0]}), which `go build` "
            "records only when .git is in the build"
        )
    return None
