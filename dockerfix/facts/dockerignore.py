"""Write a ``.dockerignore`` for a Go build context, and read one the way Docker does.

The generated file leaves out what a Go image build never needs (version control, top-level
Markdown, local configuration, editor settings, build outputs) and never leaves out what it
does need: ``go.mod``, ``go.sum``, ``go.work``, ``vendor/``, the Go packages, every ``COPY``
source, every ``//go:embed`` target and every file the program reads at run time (from
:class:`~dockerfix.facts.context.BuildContext`). A literal pattern that would hit one of those
is dropped (with a comment saying why); a wildcard pattern is kept and followed by ``!``
re-includes.

Matching follows Docker's ``.dockerignore`` rules (moby/patternmatcher): patterns are
cleaned paths relative to the context root, ``*`` and ``?`` do not cross ``/``, ``**``
matches any number of directories, a pattern that matches a directory excludes everything
below it, and the last matching line wins (``!`` re-includes).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterable, Sequence

from dockerfix.facts.context import BuildContext
from dockerfix.record import Record

__all__ = ["build_dockerignore", "is_excluded", "pattern_matches"]


class _Group(Record):
    title: str
    why: str
    patterns: tuple[str, ...]
    keep_if_tracked: bool = False  # drop a pattern whose directory exists and is not gitignored


_GROUPS = (
    _Group(
        "Version control",
        "the repository history is not needed to build and can be large",
        (".git",),
    ),
    _Group(
        "Documentation",
        "top-level Markdown files are not needed to build or run",
        ("*.md",),
    ),
    _Group(
        "Local configuration and editor settings",
        "they may hold secrets or machine-specific values",
        (
            ".env",
            ".env.*",
            "*.local",
            "docker-compose*.yml",
            "docker-compose*.yaml",
            "compose*.yml",
            "compose*.yaml",
            ".vscode",
            ".idea",
        ),
    ),
    _Group(
        "Build outputs and test artefacts",
        "the image builds its own binary",
        ("bin/", "dist/", "tmp/", "*.test", "coverage.out"),
        keep_if_tracked=True,
    ),
)


# --------------------------------------------------------------------------- matching


def _clean(pattern: str) -> str:
    """Clean a pattern like Docker does: ``filepath.Clean`` and no leading ``/``."""
    p = posixpath.normpath(pattern.strip()) if pattern.strip() else ""
    p = p.lstrip("/")
    return "" if p == "." else p


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    """Translate a cleaned Docker pattern into an anchored regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j]
                if body.startswith("^"):
                    body = "!" + body[1:]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z", re.DOTALL)
    except re.error:
        return re.compile(re.escape(pattern) + r"\Z")


def pattern_matches(pattern: str, path: str) -> bool:
    """True when the ``.dockerignore`` pattern matches ``path`` or one of its parent dirs."""
    p = _clean(pattern.removeprefix("!"))
    target = _clean(path)
    if not p or not target:
        return False
    if not any(c in p for c in "*?[\\"):  # a plain path: no regex to compile
        return target == p or target.startswith(p + "/")
    rx = _regex(p)
    parts = target.split("/")
    return any(rx.match("/".join(parts[:k])) for k in range(len(parts), 0, -1))


def specific_name(dockerfile: str) -> str:
    """The Dockerfile-specific ignore file's name: ``api.Dockerfile.dockerignore``."""
    return f"{os.path.basename(dockerfile)}.dockerignore"


def ignore_file_for(dockerfile: str | None, context: str) -> str | None:
    """The ignore file a build of ``dockerfile`` with the context folder ``context`` reads.

    As BuildKit looks for it: ``<Dockerfile>.dockerignore`` beside the Dockerfile first,
    then ``.dockerignore`` at the root of the context; podman and buildah also read a
    ``.containerignore`` there. None when there is none.
    """
    candidates = []
    if dockerfile is not None:
        candidates.append(os.path.join(os.path.dirname(dockerfile), specific_name(dockerfile)))
    candidates += [
        os.path.join(context, ".dockerignore"),
        os.path.join(context, ".containerignore"),
    ]
    return next((c for c in candidates if os.path.isfile(c)), None)


def is_excluded(dockerignore_text: str, path: str) -> bool:
    """Whether ``.dockerignore`` text leaves ``path`` (context-relative) out of the context."""
    excluded = False
    for line in dockerignore_text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        negate = s.startswith("!")
        if pattern_matches(s, path):
            excluded = not negate
    return excluded


# --------------------------------------------------------------------------- generation


class _Need(Record):
    pattern: str  # cleaned path or glob, relative to the context
    why: str
    is_dir: bool = False


def _replace_variables(text: str, replacement: str) -> str:
    """``text`` with each variable reference replaced: ``$name``, ``${...}``, and a nested
    ``${a:-${b}}`` as a whole; an unclosed ``${`` stays as it is (its text is not a name).

    One pass with a stack of open ``${`` (a regular expression cannot nest, and
    ``\\$\\{[^}]*\\}`` is quadratic on an unclosed ``${${${...``).
    """
    if "$" not in text:
        return text
    spans: list[tuple[int, int]] = []  # outermost references found so far, in order
    opened: list[int] = []  # where the ${ not closed yet start
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n:
            if text[i + 1] == "{":
                opened.append(i)
                i += 2
                continue
            j = i + 1
            if text[j] == "_" or (text[j].isascii() and text[j].isalpha()):  # $name
                j += 1
                while j < n and (text[j] == "_" or (text[j].isascii() and text[j].isalnum())):
                    j += 1
                spans.append((i, j))
                i = j
                continue
        elif c == "}" and opened:
            start = opened.pop()
            while spans and spans[-1][0] > start:  # inside this one: replaced with it
                spans.pop()
            spans.append((start, i + 1))
        i += 1
    pieces: list[str] = []
    end = 0
    for start, stop in spans:
        pieces += (text[end:start], replacement)
        end = stop
    pieces.append(text[end:])
    return "".join(pieces)


def _has_glob(s: str) -> bool:
    """Whether ``s`` has a glob character (``*``, ``?`` or ``[``)."""
    return "*" in s or "?" in s or "[" in s


def _copy_need(source: str) -> _Need | None:
    src = _replace_variables(source, "*")
    cleaned = _clean(src)
    if not cleaned or cleaned.startswith("../") or cleaned == "..":
        return None
    if re.fullmatch(r"[*/]+", cleaned):
        return None  # "COPY . ." or "COPY * ./": the whole context, which this file filters
    return _Need(cleaned, f"COPY {source}", is_dir=source.endswith("/"))


def _needs(
    context: BuildContext | None,
    copy_sources: Iterable[str],
    embeds: Iterable[tuple[str, str]],
) -> list[_Need]:
    needs: list[_Need] = [
        _Need("go.mod", "the module definition"),
        _Need("go.sum", "module checksums"),
        _Need("go.work", "the workspace definition"),
        _Need("go.work.sum", "workspace checksums"),
    ]
    if context is None or context.vendor_dir_exists:
        needs.append(_Need("vendor", "vendored modules", is_dir=True))
    for source in copy_sources:
        need = _copy_need(source)
        if need is not None:
            needs.append(need)
    for directory, pattern in embeds:
        target = posixpath.join(directory, pattern.removeprefix("all:"))
        cleaned = _clean(target)
        if cleaned:
            where = "the context root" if directory in ("", ".") else directory
            needs.append(_Need(cleaned, f"//go:embed {pattern} in {where}"))
    if context is not None:
        for directory in context.go_package_dirs:
            if directory == ".":
                needs.append(_Need("*.go", "Go sources"))
            else:
                needs.append(_Need(directory, "Go package", is_dir=True))
        for mod in context.go_mods:
            if mod.path != "go.mod":
                needs.append(_Need(mod.path, "a nested module definition"))
        for rf in context.runtime_files:
            is_dir = rf.path in context.dirs
            needs.append(_Need(rf.path, f"read at run time: {rf.reason}", is_dir=is_dir))
    return needs


def _sample(pattern: str) -> str:
    """A path the glob ``pattern`` matches, for checking it against an exclusion."""
    s = pattern.replace("**/", "").replace("**", "x")
    return _replace_classes(s).replace("*", "x").replace("?", "x")


def _replace_classes(s: str) -> str:
    """``s`` with each ``[...]`` (up to the first ``]``) replaced by ``x``.

    A scan, not ``re.sub(r"\\[[^\\]]*\\]", "x", s)``: that retries from every '[' of an
    unclosed ``[[[[...`` (O(n^2)), where the first failure means no ']' follows at all.
    """
    out: list[str] = []
    i = 0
    while (start := s.find("[", i)) >= 0 and (end := s.find("]", start + 1)) >= 0:
        out += [s[i:start], "x"]
        i = end + 1
    return "".join(out) + s[i:]


def _conflicts(pattern: str, need: _Need, excluded_entries: Sequence[str]) -> bool:
    """Would the exclusion ``pattern`` take away (part of) what ``need`` names?

    ``excluded_entries`` are the context's files and directories that ``pattern`` excludes.
    """
    candidates = {need.pattern, _sample(need.pattern)}
    if need.is_dir:
        candidates.add(need.pattern + "/x")
    if any(pattern_matches(pattern, c) for c in candidates):
        return True
    if any(pattern_matches(need.pattern, e) for e in excluded_entries):
        return True
    # an exclusion that is itself covered by a needed glob (COPY *.md vs "*.md")
    return _has_glob(need.pattern) and pattern_matches(need.pattern, _sample(pattern))


def _conflicts_in(
    context: BuildContext | None, pattern: str, need: _Need, excluded: Sequence[str]
) -> bool:
    """``_conflicts``, answered once per context, pattern and need (the Dockerfiles of a
    shared context have most needs in common)."""
    if context is None:
        return _conflicts(pattern, need, excluded)
    key = ("conflicts", pattern, need.pattern, need.is_dir)
    found = context.derived.get(key)
    if not isinstance(found, bool):
        found = context.derived[key] = _conflicts(pattern, need, excluded)
    return found


def _excluded_entries(context: BuildContext, cleaned: str) -> list[str]:
    """The context's files and folders the cleaned pattern excludes, as ``pattern_matches``
    says, computed once per context and pattern (every Dockerfile of a shared context asks).

    The walk lists every folder above a file, so "a parent matches" is "a listed entry
    above it matches": one regex test per entry, not one per entry and parent.
    """
    key = ("excluded", cleaned)
    found = context.derived.get(key)
    if isinstance(found, list):
        return found
    entries = [*context.files, *context.dirs]
    if not any(c in cleaned for c in "*?[\\"):
        found = [e for e in entries if e == cleaned or e.startswith(cleaned + "/")]
    else:
        rx = _regex(cleaned)
        direct = {e for e in entries if rx.match(e)}
        found = [
            e
            for e in entries
            if e in direct or (direct and any(e[:i] in direct for i, c in enumerate(e) if c == "/"))
        ]
    context.derived[key] = found
    return found


def _gitignored(context: BuildContext, directory: str) -> bool:
    if not context.gitignore_lines:
        return False
    try:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(context.gitignore_lines)
        return bool(spec.match_file(directory.rstrip("/") + "/"))
    except Exception:  # pragma: no cover - a malformed .gitignore must not break generation
        return False


def build_dockerignore(
    context: BuildContext | None,
    copy_sources: Sequence[str],
    embed_patterns: Sequence[tuple[str, str]] = (),
    keep_git: str | None = None,
) -> str:
    """The text of a ``.dockerignore`` for a Go build context. Deterministic.

    ``context`` is the analysed build context (None when unknown: only the Dockerfile's own
    needs are protected then); ``copy_sources`` the context paths the Dockerfile's
    ``COPY``/``ADD`` instructions read (as written; ``$VAR`` parts count as wildcards);
    ``embed_patterns`` extra ``(Go file directory, pattern)`` pairs, added to the context's.
    ``keep_git`` says why the build needs ``.git`` (then it is not excluded).
    The text is kept with the context (the pipeline asks again in each round and check).
    """
    if context is None:
        return _build(None, copy_sources, embed_patterns, keep_git)
    key = ("dockerignore", tuple(copy_sources), tuple(embed_patterns), keep_git)
    text = context.derived.get(key)
    if not isinstance(text, str):
        text = context.derived[key] = _build(context, copy_sources, embed_patterns, keep_git)
    return text


def _build(
    context: BuildContext | None,
    copy_sources: Sequence[str],
    embed_patterns: Sequence[tuple[str, str]],
    keep_git: str | None = None,
) -> str:
    embeds = list(dict.fromkeys([*(context.embed_patterns if context else []), *embed_patterns]))
    needs = list({n.pattern: n for n in reversed(_needs(context, copy_sources, embeds))}.values())
    needs.reverse()  # one entry per path or glob, the first reason kept, in order
    lines = [
        "# Generated by dockerfix. It keeps the build context small and local files out of",
        "# the image. Never excluded: go.mod, go.sum, vendor/, Go sources, COPY sources,",
        "# //go:embed files and files the program reads at run time.",
    ]
    # a source that is only variables: what it names is not known here
    unknown = [s for s in copy_sources if (t := _replace_variables(s, "")) != s and not _clean(t)]
    for source in unknown:
        lines.append(f"# COPY {source} names a variable: check that it is not excluded below.")
    reincludes: dict[str, str] = {}
    for group in _GROUPS:
        body: list[str] = []
        for pattern in group.patterns:
            cleaned = _clean(pattern)
            if cleaned == ".git" and keep_git is not None:
                body.append(f"# .git not excluded: needed ({keep_git})")
                continue
            excluded = _excluded_entries(context, cleaned) if context is not None else []
            hits = [n for n in needs if _conflicts_in(context, cleaned, n, excluded)]
            if (
                not hits
                and group.keep_if_tracked
                and context is not None
                and cleaned in context.dirs
                and not _gitignored(context, cleaned)
            ):
                body.append(f"# {pattern} not excluded: it exists and is not in .gitignore")
                continue
            if hits and not _has_glob(cleaned):
                body.append(f"# {pattern} not excluded: needed ({hits[0].why})")
                continue
            body.append(pattern)
            for need in hits:
                reincludes.setdefault(f"!{need.pattern}", need.why)
                if need.is_dir:
                    reincludes.setdefault(f"!{need.pattern}/**", need.why)
        lines += ["", f"# {group.title}: {group.why}.", *body]
    if reincludes:
        lines += ["", "# Re-included: the build or the program needs them."]
        lines += sorted(reincludes)
    return "\n".join(lines) + "\n"
