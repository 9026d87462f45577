"""The files the runtime stage gets besides the binary.

Files the program reads by relative path at run time (found in the build context), the CA
certificates (on scratch, or when the builder adds its own) and Go's time-zone data on
scratch.
"""

from __future__ import annotations

import functools
import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gofacts, shellwords
from dockerfix.facts.dockerignore import ignore_file_for, is_excluded
from dockerfix.facts.runtime import RuntimeFile
from dockerfix.fixer.split import steps
from dockerfix.fixer.split.candidate import Blocked, Candidate
from dockerfix.fixer.style import exec_form

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.facts.context import BuildContext

__all__ = ["RuntimeFiles", "copy_line"]


@functools.cache
def _plain_path_re() -> re.Pattern[str]:
    """A path that needs no quoting in a shell-form COPY (compiled on first use)."""
    return re.compile(r"[^\s\"'\\$`]+")


def copy_line(builder: str, src: str, dst: str) -> str:
    """``COPY --from=<builder> <src> <dst>``, in exec form when a path needs quoting."""
    plain = _plain_path_re()
    if plain.fullmatch(src) and plain.fullmatch(dst):
        return f"COPY --from={builder} {src} {dst}"
    return f"COPY --from={builder} {exec_form([src, dst])}"


class RuntimeFiles:
    """Finds the files the runtime stage needs and where the builder has them."""

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate

    # -- files the program reads ----------------------------------------------------------------
    def copies(self, cwd: str | None) -> list[tuple[str, str]]:
        """``(builder path, runtime path)`` of the files the program reads at run time."""
        bc = self.candidate.bc
        if bc is None:
            return []  # the caller keeps the whole working directory
        if bc.truncated:
            self.candidate.notes.append(
                "the build context is too large to read completely: files the program reads "
                "at run time may be missing from the runtime stage"
            )
        copies: list[tuple[str, str]] = []
        shown: list[str] = []
        missing: list[str] = []
        for item in [*bc.runtime_files, *self._named_by_dockerfile()]:
            if cwd is None:
                raise Blocked(
                    self.candidate.from_,
                    f"the program reads {item.path} at run time ({item.reason}) but the "
                    "working directory cannot be determined; split by hand",
                )
            target = posixpath.normpath(posixpath.join(cwd, item.path))
            if self._moved_copy_provides(target):
                continue
            if self._ignored(item.path) or re.search(r"[$\\`\n]", item.path):
                missing.append(item.path)
                continue
            if not self._in_builder(item.path, target):
                missing.append(item.path)
                continue
            copies.append((target, target))
            shown.append(f"{item.path} ({item.reason})")
        if shown:
            self.candidate.notes.append(
                f"the program reads {', '.join(shown)} at run time: copied into the runtime "
                f"stage, whose WORKDIR stays {cwd} so relative paths resolve"
            )
        if missing:
            self.candidate.notes.append(
                f"the program reads {', '.join(missing)} at run time, but no COPY puts it "
                f"under {cwd} in the builder (or .dockerignore leaves it out): not copied, "
                "check by hand"
            )
        return copies

    def _named_by_dockerfile(self) -> list[RuntimeFile]:
        """Context files named by relative path in ENV values or the start command."""
        bc = self.candidate.bc
        assert bc is not None
        out: list[RuntimeFile] = []
        for ins in self.candidate.stage.instructions:
            if ins.name == "ENV":
                words = [ins.args[k + 1] for k in range(0, len(ins.args) - 2, 3)]
            elif ins.name in ("CMD", "ENTRYPOINT"):
                words = list(ins.args[1:]) if ins.is_exec_form else []
            else:
                continue
            for word in words:
                value = word.strip("'\"").partition("=")[2] or word.strip("'\"")
                rel = posixpath.normpath(value) if value and not value.startswith("/") else None
                known = {f.path for f in bc.runtime_files}
                if rel and not rel.startswith("..") and rel not in (".", *known) and bc.exists(rel):
                    out.append(RuntimeFile(rel, f"named by {ins.name} {value}"))
        return out

    def absolute_copies(self, cwd: str | None) -> list[str]:
        """Where files the Dockerfile copies from the context outside the working directory
        (``COPY app.conf /etc/app/app.conf``) land: the runtime stage keeps them there.

        Copies of Go sources (``.``, ``*.go``, ``go.mod``, package folders, globs) are the
        build's input, not the program's; copies that move to the runtime stage anyway
        (after the build) are not repeated.
        """
        bc = self.candidate.bc
        later = self.candidate.stage.instructions[self.candidate.last_build_index + 1 :]
        out: list[str] = []
        for ins, sources, dest in self._context_copies():
            if any(ins is x for x in later) or ins.name != "COPY":
                continue
            if cwd is not None and (dest == cwd or dest.startswith(cwd.rstrip("/") + "/")):
                continue
            if any(self._is_source(s, bc) for s in sources):
                continue
            out.append(dest)
        if out:
            self.candidate.notes.append(
                f"the Dockerfile puts {', '.join(out)} in the image: copied into the runtime "
                "stage at the same place"
            )
        return list(dict.fromkeys(out))

    @staticmethod
    def _is_source(source: str, bc: BuildContext | None) -> bool:
        src = posixpath.normpath(source.lstrip("/") or ".")
        name = posixpath.basename(src)
        if src == "." or re.search(r"[*?\[$]", src) or name.endswith(".go"):
            return True
        if name in ("go.mod", "go.sum", "go.work", "vendor"):
            return True
        if bc is None:
            return True  # unknown: assume it is source, copy nothing more
        return any(d == src or d.startswith(src + "/") for d in bc.go_package_dirs)

    def _ignored(self, rel: str) -> bool:
        """True when the ignore file the build reads leaves ``rel`` out of the build."""
        bc = self.candidate.bc
        if bc is None:
            return False
        path = ignore_file_for(self.candidate.ctx.path, bc.directory)
        if path is None:
            return False
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            return False
        return is_excluded(text, rel)

    def _context_copies(self) -> list[tuple[cst.Instruction, list[str], str]]:
        """COPY/ADD from the build context: instruction, sources, absolute destination."""
        out: list[tuple[cst.Instruction, list[str], str]] = []
        for ins in self.candidate.stage.instructions:
            if ins.name not in ("COPY", "ADD") or len(ins.args) < 2 or ins.heredocs:
                continue
            if ins.flag("from") is not None:
                continue
            workdir = self.candidate.facts.workdir(ins)
            dest = gofacts.resolve(workdir, ins.args[-1])
            if dest is not None:
                out.append((ins, list(ins.args[:-1]), dest))
        return out

    def _moved_copy_provides(self, target: str) -> bool:
        """True when a COPY/ADD that moves to the runtime stage writes at or above ``target``."""
        later = self.candidate.stage.instructions[self.candidate.last_build_index + 1 :]
        for ins, _sources, dest in self._context_copies():
            if any(ins is x for x in later) and (target == dest or target.startswith(dest + "/")):
                return True
        return False

    def _in_builder(self, rel: str, target: str) -> bool:
        """True when some COPY/ADD puts the context path ``rel`` at ``target`` in the builder."""
        bc = self.candidate.bc
        for ins, sources, dest in self._context_copies():
            as_dir = ins.args[-1].endswith("/") or len(sources) > 1
            for source in sources:
                src = posixpath.normpath(source.lstrip("/") or ".")
                if re.search(r"[*?\[$]", src):
                    continue
                if src == ".":
                    place = posixpath.join(dest, rel)
                elif rel == src or rel.startswith(src + "/"):
                    inner = rel[len(src) :].lstrip("/")
                    is_dir = source.endswith("/") or (bc is not None and src in bc.dirs)
                    if is_dir:
                        # a directory's contents go into the destination
                        place = posixpath.join(dest, inner) if inner else dest
                    else:
                        place = posixpath.join(dest, posixpath.basename(src)) if as_dir else dest
                else:
                    continue
                if posixpath.normpath(place) == target:
                    return True
        return False

    # -- system files -----------------------------------------------------------------------------
    def system_files(self, builder: str) -> list[str]:
        """Lines that copy the CA bundle and (on scratch) Go's time-zone data from ``builder``."""
        custom_ca = self._updates_ca_bundle() and self._adds_certificates()
        lines: list[str] = []
        if self.candidate.scratch or custom_ca:
            lines.append(
                copy_line(builder, "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/")
            )
            if custom_ca and not self.candidate.scratch:
                self.candidate.notes.append(
                    "the builder adds its own CA certificates: the bundle is copied over"
                )
        if not self.candidate.scratch:
            return lines
        bc = self.candidate.bc
        if bc is None:
            self.candidate.notes.append(
                "scratch has no time-zone data; whether the program needs it could not be "
                "checked without the build context (import time/tzdata if it does)"
            )
            return lines
        if bc.uses_timezones:
            image = self.candidate.image
            root = gofacts.goroot(image)
            if root is None:
                raise Blocked(
                    self.candidate.from_,
                    "the program loads time zones and scratch has no time-zone data, but "
                    f"dockerfix does not know where {image} keeps Go's zoneinfo.zip; "
                    "import time/tzdata in the program, or split by hand",
                )
            lines.append(copy_line(builder, f"{root}/lib/time/zoneinfo.zip", "/zoneinfo.zip"))
            lines.append("ENV ZONEINFO=/zoneinfo.zip")
            self.candidate.notes.append(
                "the program loads time zones: Go's zoneinfo.zip is copied (ZONEINFO)"
            )
        return lines

    def _updates_ca_bundle(self) -> bool:
        """True when a RUN of the stage runs update-ca-certificates or update-ca-trust."""
        return any(
            "update-ca-" in text
            and re.search(r"\bupdate-ca-certificates\b|\bupdate-ca-trust\b", text)
            for ins in self.candidate.stage.instructions
            for text, _ in gofacts.run_scripts(ins)
        )

    def _adds_certificates(self) -> bool:
        """True when the stage puts certificates of its own where the CA tools read them."""
        for ins in self.candidate.stage.instructions:
            if ins.name in ("COPY", "ADD") and len(ins.args) >= 2:
                workdir = self.candidate.facts.workdir(ins)
                dest = gofacts.resolve(workdir, ins.args[-1]) or ""
                if dest.startswith(steps.CA_DIRS):
                    return True
            for text, _ in gofacts.run_scripts(ins):
                for cmd in shellwords.simple_commands(text):
                    program = steps.program(cmd)
                    if program in ("update-ca-certificates", "update-ca-trust"):
                        continue
                    if any((w.value or "").startswith(steps.CA_DIRS) for w in cmd.words[1:]):
                        return True
                    if any(
                        r.target is not None and (r.target.value or "").startswith(steps.CA_DIRS)
                        for r in cmd.redirects
                    ):
                        return True
        return False
