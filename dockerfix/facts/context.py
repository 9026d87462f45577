"""The build context near a Dockerfile: what the Go project in it needs at build and run time.

:func:`analyze_context` reads (never executes) the files of a directory and answers the
questions the fixer rules ask before they change a Dockerfile:

* Is there a module (``go.mod``), a ``go.sum``, a vendor directory?
* Does the build need cgo (a cgo-only module, or ``import "C"``)? Then ``CGO_ENABLED=0``
  would break it.
* What do ``//go:embed`` directives embed, and which files does the program open by relative
  path at run time (templates, static files, config)? Those must reach the runtime stage.
* Does the program need time-zone data or CA certificates (it matters for ``scratch``)?

Reading is bounded: files over 1 MiB are skipped, the walk stops after 20,000 files, ``.git``
and ``node_modules`` are not entered, ``vendor`` is only noted (its ``modules.txt`` is read),
symbolic links to directories are not followed and symbolic links that leave the tree are
ignored. Unreadable files and odd encodings are tolerated; nothing raises for a bad project.

The Go source analysis is lexical (comments and string literals are understood, the code is
not type-checked), so it is a good guess, not a proof; every finding says where it came from.
"""

from __future__ import annotations

import os
import posixpath
import re

from dockerfix.facts.gomodule import GoMod, Replace, Require, parse_go_mod, read_go_work
from dockerfix.facts.gosource import (
    CGO_MODULES,
    CGO_PACKAGES,
    GoSource,
    built,
    cgo_reasons,
    embed_patterns,
    go_dir_ok,
    scan_go,
)
from dockerfix.facts.program import Write, executed_programs, root_reasons, vcs_reads, writes
from dockerfix.facts.runtime import RuntimeFile, runtime_reads, tz_tls
from dockerfix.facts.walk import Walk, read_text, walk_context

__all__ = [
    "CGO_MODULES",
    "CGO_PACKAGES",
    "BuildContext",
    "GoMod",
    "Replace",
    "Require",
    "RuntimeFile",
    "analyze_context",
    "parse_go_mod",
]


class BuildContext:
    """Facts about a Docker build context holding a Go project.

    Paths are POSIX, relative to the context directory. ``go_mod`` is the context's own
    go.mod (None without one); ``go_mods`` every go.mod found. ``cgo_reasons`` explain why
    the build needs cgo (empty: nothing says so). ``embed_patterns`` are
    ``(directory of the Go file, pattern)`` for each ``//go:embed`` pattern, as written
    (``all:`` prefix included). ``runtime_files`` are the existing files/directories the
    program opens by relative path at run time (the deepest existing path above any glob,
    e.g. ``templates/*.html`` gives ``templates``), minus what ``//go:embed`` embeds;
    ``unresolved_runtime_files`` the relative paths it opens that do not exist in the
    context (created at run time, or mounted). ``files`` lists the files seen by the walk.
    ``executed_programs``, ``writes`` and ``root_reasons`` are what ``facts.program`` finds:
    the programs it starts, the places it writes, and why it would need root.
    """

    __slots__ = (
        "cgo_reasons",
        "derived",
        "directory",
        "dirs",
        "dockerignore_exists",
        "dockerignore_files",
        "embed_patterns",
        "embeds_tzdata",
        "executed_programs",
        "files",
        "gitignore_lines",
        "go_mod",
        "go_mods",
        "go_package_dirs",
        "go_work_uses",
        "has_go_files",
        "has_go_sum",
        "has_go_work",
        "has_vendor",
        "main_package_dirs",
        "notes",
        "root_reasons",
        "runtime_files",
        "timezone_reasons",
        "tls_reasons",
        "truncated",
        "unfollowed_reads",
        "unresolved_runtime_files",
        "uses_timezones",
        "uses_tls_or_https",
        "vcs_reads",
        "vendor_dir_exists",
        "vendor_dirs",
        "writes",
    )

    def __init__(
        self,
        directory: str,
        go_mod: GoMod | None = None,
        go_mods: list[GoMod] | None = None,
        has_go_sum: bool = False,
        has_go_work: bool = False,
        has_vendor: bool = False,
        vendor_dir_exists: bool = False,
        vendor_dirs: list[str] | None = None,
        has_go_files: bool = False,
        go_package_dirs: list[str] | None = None,
        main_package_dirs: list[str] | None = None,
        cgo_reasons: list[str] | None = None,
        embed_patterns: list[tuple[str, str]] | None = None,
        runtime_files: list[RuntimeFile] | None = None,
        unresolved_runtime_files: list[RuntimeFile] | None = None,
        unfollowed_reads: list[str] | None = None,
        uses_timezones: bool = False,
        timezone_reasons: list[str] | None = None,
        embeds_tzdata: bool = False,
        uses_tls_or_https: bool = False,
        tls_reasons: list[str] | None = None,
        dockerignore_exists: bool = False,
        dockerignore_files: list[str] | None = None,
        gitignore_lines: list[str] | None = None,
        files: list[str] | None = None,
        dirs: list[str] | None = None,
        truncated: bool = False,
        notes: list[str] | None = None,
        executed_programs: list[str] | None = None,
        writes: list[Write] | None = None,
        root_reasons: list[str] | None = None,
        go_work_uses: list[str] | None = None,
        vcs_reads: list[str] | None = None,
    ) -> None:
        self.directory = directory
        self.go_mod = go_mod
        self.go_mods: list[GoMod] = [] if go_mods is None else go_mods
        self.has_go_sum = has_go_sum
        self.has_go_work = has_go_work
        self.has_vendor = has_vendor
        self.vendor_dir_exists = vendor_dir_exists
        self.vendor_dirs: list[str] = [] if vendor_dirs is None else vendor_dirs
        self.has_go_files = has_go_files
        self.go_package_dirs: list[str] = [] if go_package_dirs is None else go_package_dirs
        self.main_package_dirs: list[str] = [] if main_package_dirs is None else main_package_dirs
        self.cgo_reasons: list[str] = [] if cgo_reasons is None else cgo_reasons
        self.embed_patterns: list[tuple[str, str]] = (
            [] if embed_patterns is None else embed_patterns
        )
        self.runtime_files: list[RuntimeFile] = [] if runtime_files is None else runtime_files
        self.unresolved_runtime_files: list[RuntimeFile] = (
            [] if unresolved_runtime_files is None else unresolved_runtime_files
        )
        #: the calls that open a file whose path is not a literal dockerfix can follow
        self.unfollowed_reads: list[str] = [] if unfollowed_reads is None else unfollowed_reads
        self.uses_timezones = uses_timezones
        self.timezone_reasons: list[str] = [] if timezone_reasons is None else timezone_reasons
        self.embeds_tzdata = embeds_tzdata
        self.uses_tls_or_https = uses_tls_or_https
        self.tls_reasons: list[str] = [] if tls_reasons is None else tls_reasons
        self.dockerignore_exists = dockerignore_exists
        self.dockerignore_files: list[str] = (
            [] if dockerignore_files is None else dockerignore_files
        )
        self.gitignore_lines: list[str] = [] if gitignore_lines is None else gitignore_lines
        self.files: list[str] = [] if files is None else files
        self.dirs: list[str] = [] if dirs is None else dirs
        self.truncated = truncated
        self.notes: list[str] = [] if notes is None else notes
        self.executed_programs: list[str] = [] if executed_programs is None else executed_programs
        self.writes: list[Write] = [] if writes is None else writes
        self.root_reasons: list[str] = [] if root_reasons is None else root_reasons
        #: the folders go.work ``use``s (``.`` for the context itself)
        self.go_work_uses: list[str] = [] if go_work_uses is None else go_work_uses
        #: where the program reads the VCS stamp go build records from .git
        self.vcs_reads: list[str] = [] if vcs_reads is None else vcs_reads
        #: answers computed from these facts, kept by whoever computes them (not compared)
        self.derived: dict[object, object] = {}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name)
            for name in self.__slots__
            if name != "derived"
        )

    @property
    def module_path(self) -> str | None:
        """The module path of the context's go.mod."""
        return self.go_mod.module if self.go_mod is not None else None

    @property
    def module_packages(self) -> dict[str, bool] | None:
        """The root module's packages: directory (relative to it) to "is a main package".

        What a pattern such as ``./...`` can build: a nested module's packages are not the
        root module's. None when that cannot be told: no root ``go.mod``, a ``go.work``
        (patterns then match every workspace module) or a walk cut short.
        """
        if self.go_mod is None or self.has_go_work or self.truncated:
            return None
        nested = tuple(m.directory + "/" for m in self.go_mods if m.directory != ".")
        mains = set(self.main_package_dirs)
        return {d: d in mains for d in self.go_package_dirs if not (d + "/").startswith(nested)}

    @property
    def needs_cgo(self) -> bool:
        """True when some reason says the build needs cgo."""
        return bool(self.cgo_reasons)

    def exists(self, rel: str) -> bool:
        """True when ``rel`` is a file or directory seen in the context."""
        rel = posixpath.normpath(rel)
        return rel in self._entries

    @property
    def _entries(self) -> frozenset[str]:
        return frozenset(self.files) | frozenset(self.dirs)


#: a Go file's scan from an earlier run: ``(size, mtime in ns)`` when scanned, and the scan
Known = dict[str, tuple[tuple[int, int], GoSource]]


def go_sources(directory: str, walk: Walk, known: Known | None = None) -> list[GoSource]:
    """The scanned Go files of the context (not ``_`` or ``.`` files, not ``testdata``).

    A file whose size and modification time are those ``known`` holds for it is not read
    again: its earlier scan is taken.
    """
    stamps = dict(zip(walk.files, walk.stamps, strict=False)) if known else {}
    sources: list[GoSource] = []
    for rel in walk.files:
        name = posixpath.basename(rel)
        if not name.endswith(".go") or name.startswith((".", "_")) or not go_dir_ok(rel):
            continue
        earlier = known.get(rel) if known else None
        if earlier is not None and earlier[0] == stamps.get(rel):
            sources.append(earlier[1])
            continue
        text = read_text(directory, rel)
        if text is None:
            walk.notes.append(f"{rel}: skipped (unreadable, binary or larger than 1 MiB)")
            continue
        sources.append(scan_go(rel, text))
    return sources


def main_package_dirs(sources: list[GoSource]) -> list[str]:
    """The directories whose package, as built for linux, is ``main``.

    A ``//go:build ignore`` generator declaring ``package main`` beside a library's files
    does not make the library's directory a main package.
    """
    packages: dict[str, set[str]] = {}
    for src in sources:
        if src.is_test or not src.package:
            continue
        if built(src, cgo=True) or built(src, cgo=False):
            packages.setdefault(src.directory, set()).add(src.package)
    return sorted(d for d, names in packages.items() if "main" in names)


def analyze_context(
    directory: str | os.PathLike[str], walk: Walk | None = None, known: Known | None = None
) -> BuildContext:
    """Analyse the build context ``directory``; never raises for a bad or odd project.

    ``walk`` is the context's listing when the caller has already made it; ``known`` the
    Go files scanned before (see ``go_sources``).
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return BuildContext(directory=directory, notes=[f"{directory} is not a directory"])
    if walk is None:
        walk = walk_context(directory)
    files = walk.files
    file_set = set(files)
    entries = frozenset(files) | frozenset(walk.dirs)

    go_mods: list[GoMod] = []
    for rel in files:
        if posixpath.basename(rel) == "go.mod" and go_dir_ok(rel):
            text = read_text(directory, rel)
            if text is not None:
                go_mods.append(parse_go_mod(text, rel))
    root_mod = next((m for m in go_mods if m.path == "go.mod"), None)
    used_mods: list[GoMod]
    uses: list[str] = []
    if "go.work" in file_set:
        uses = read_go_work(read_text(directory, "go.work") or "")
        used_mods = [m for m in go_mods if m.directory in uses]
        if root_mod is not None and root_mod not in used_mods:
            used_mods.insert(0, root_mod)
    elif root_mod is not None:
        used_mods = [root_mod]
    else:
        used_mods = list(go_mods)

    vendor_modules: list[str] = []
    has_vendor = False
    if "vendor" in walk.vendor_dirs:
        modules_txt = read_text(directory, "vendor/modules.txt")
        if modules_txt is not None:
            has_vendor = True
            vendor_modules = re.findall(r"(?m)^# (\S+) ", modules_txt)
        else:
            walk.notes.append("vendor/ exists but has no modules.txt")

    sources = go_sources(directory, walk, known)

    package_dirs = sorted({s.directory for s in sources if not s.is_test})
    main_dirs = main_package_dirs(sources)

    embeds = embed_patterns(sources)

    mod_dirs = [m.directory for m in go_mods]
    reads = runtime_reads(directory, entries, sources, mod_dirs, embeds, frozenset(walk.dirs))
    tz, tzdata, tls = tz_tls(sources, root_mod)

    gitignore = read_text(directory, ".gitignore") if ".gitignore" in file_set else None
    gitignore_lines = [
        ln.rstrip()
        for ln in (gitignore or "").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    dockerignores = sorted(
        f for f in files if "/" not in f and (f == ".dockerignore" or f.endswith(".dockerignore"))
    )

    return BuildContext(
        directory=directory,
        go_mod=root_mod,
        go_mods=go_mods,
        has_go_sum="go.sum" in file_set,
        has_go_work="go.work" in file_set,
        has_vendor=has_vendor,
        vendor_dir_exists="vendor" in walk.vendor_dirs,
        vendor_dirs=list(walk.vendor_dirs),
        has_go_files=any(not s.is_test for s in sources),
        go_package_dirs=package_dirs,
        main_package_dirs=main_dirs,
        cgo_reasons=cgo_reasons(used_mods, vendor_modules, sources),
        embed_patterns=embeds,
        runtime_files=reads.found,
        unresolved_runtime_files=reads.missing,
        unfollowed_reads=reads.unfollowed,
        uses_timezones=bool(tz) and not tzdata,
        timezone_reasons=tz,
        embeds_tzdata=tzdata,
        uses_tls_or_https=bool(tls),
        tls_reasons=tls,
        dockerignore_exists=".dockerignore" in file_set,
        dockerignore_files=dockerignores,
        gitignore_lines=gitignore_lines,
        files=sorted(files),
        dirs=sorted(walk.dirs),
        truncated=walk.truncated,
        notes=walk.notes,
        executed_programs=executed_programs(sources),
        writes=writes(sources),
        root_reasons=root_reasons(sources, used_mods),
        go_work_uses=uses,
        vcs_reads=vcs_reads(sources),
    )
