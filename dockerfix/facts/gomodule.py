"""go.mod and go.work, read the way the go command reads them (tolerantly, never executed)."""

from __future__ import annotations

import posixpath
import re

from dockerfix.record import Record

_GOMOD_TOKEN = re.compile(r"[^\s\"`]+")


class Require(Record):
    """A ``require`` line of go.mod."""

    path: str
    version: str
    indirect: bool = False


class Replace(Record):
    """A ``replace`` directive: ``old [version] => new [version]``."""

    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None

    @property
    def is_local(self) -> bool:
        """True when the replacement is a directory (``./x``, ``../x``, ``/x``)."""
        return self.new_path.startswith(("./", "../", "/")) or self.new_path in (".", "..")


class GoMod(Record):
    """A parsed go.mod: module path, go/toolchain versions, requirements and replacements."""

    path: str  # the go.mod file, relative to the context ("go.mod", "svc/go.mod")
    module: str | None
    go_version: str | None = None
    toolchain: str | None = None
    requires: tuple[Require, ...] = ()
    replaces: tuple[Replace, ...] = ()

    @property
    def require_paths(self) -> list[str]:
        """The required module paths, in file order."""
        return [r.path for r in self.requires]

    @property
    def directory(self) -> str:
        """The module root relative to the context (``.`` for the context itself)."""
        return posixpath.dirname(self.path) or "."


def _gomod_fields(line: str) -> list[str]:
    """Fields of a go.mod line with quoted strings unquoted and the comment removed."""
    out: list[str] = []
    i = 0
    while i < len(line):
        c = line[i]
        if c in " \t\r":
            i += 1
        elif line.startswith("//", i):
            break
        elif c in '"`':
            j = line.find(c, i + 1)
            if j < 0:
                j = len(line)
            out.append(line[i + 1 : j].replace('\\"', '"'))
            i = j + 1
        else:
            m = _GOMOD_TOKEN.match(line, i)
            assert m is not None
            tok = m.group()
            if "//" in tok:
                out.append(tok[: tok.index("//")])
                break
            out.append(tok)
            i = m.end()
    return [f for f in out if f]


def parse_go_mod(text: str, path: str = "go.mod") -> GoMod:
    """Parse go.mod text. Tolerant: unknown directives and malformed lines are ignored."""
    module = go_version = toolchain = None
    requires: list[Require] = []
    replaces: list[Replace] = []
    block: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        indirect = bool(re.search(r"//\s*indirect\b", line))
        fields = _gomod_fields(line)
        if not fields:
            continue
        if block is not None:
            if fields[0] == ")":
                block = None
                continue
            verb, args = block, fields
        else:
            verb, args = fields[0], fields[1:]
            if args == ["("]:
                block = verb
                continue
            if args and args[0] == "(":
                args = args[1:]
                if args and args[-1] == ")":
                    args = args[:-1]  # a one-line block: "require ( a v1 )"
                else:
                    block = verb
                if not args:
                    continue
        if verb == "module" and args:
            module = args[0]
        elif verb == "go" and args:
            go_version = args[0]
        elif verb == "toolchain" and args:
            toolchain = args[0]
        elif verb == "require" and len(args) >= 2:
            requires.append(Require(args[0], args[1], indirect))
        elif verb == "replace" and "=>" in args:
            k = args.index("=>")
            old, new = args[:k], args[k + 1 :]
            if old and new:
                replaces.append(
                    Replace(
                        old[0],
                        old[1] if len(old) > 1 else None,
                        new[0],
                        new[1] if len(new) > 1 else None,
                    )
                )
    return GoMod(path, module, go_version, toolchain, tuple(requires), tuple(replaces))


def read_go_work(text: str) -> list[str]:
    """The folders a go.work file ``use``s, cleaned (``./svc`` -> ``svc``)."""
    uses: list[str] = []
    block = False
    for raw in text.splitlines():
        fields = _gomod_fields(raw.strip())
        if not fields:
            continue
        if block:
            if fields[0] == ")":
                block = False
            else:
                uses.append(fields[0])
            continue
        if fields[0] == "use":
            if fields[1:] == ["("]:
                block = True
            elif len(fields) > 1:
                uses.append(fields[1])
    return [posixpath.normpath(u) for u in uses]
