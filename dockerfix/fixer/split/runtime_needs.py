"""Blockers: what the running container may need that only the builder stage has.

``RUN`` steps after the build, packages that are not build tools, directories made for run
time, volumes the build prepares.
"""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts, shellwords
from dockerfix.fixer.split import steps
from dockerfix.fixer.split.candidate import Blocked, Candidate

__all__ = ["RuntimeNeeds"]


class RuntimeNeeds:
    """Checks that the builder prepares nothing the runtime stage would lack."""

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate

    # -- what runs after the build ----------------------------------------------------------
    def check_after_build(self, binaries: set[str]) -> None:
        """Block on steps after the last build that may prepare the running container.

        ``binaries`` are the paths the application builds write.
        """
        instructions = self.candidate.stage.instructions
        last = self.candidate.builds[-1]
        for text, _ in gofacts.run_scripts(last.instruction):
            commands = gocmd.find_go_commands(text)
            if not any(
                c.raw == last.command.raw and c.start == last.command.start for c in commands
            ):
                continue
            for cmd in shellwords.simple_commands(text):
                if cmd.start >= last.command.end:
                    self._check_harmless(last.instruction, cmd, binaries)
        for ins in instructions[self.candidate.last_build_index + 1 :]:
            if ins.name != "RUN":
                continue
            if ins.is_exec_form:
                raise Blocked(ins, self._after_build_reason(ins, " ".join(ins.args)))
            for text, _ in gofacts.run_scripts(ins):
                for cmd in shellwords.simple_commands(text):
                    self._check_harmless(ins, cmd, binaries)

    def _check_harmless(
        self, ins: cst.Instruction, cmd: shellwords.SimpleCommand, binaries: set[str]
    ) -> None:
        if not cmd.words:
            return
        program = steps.program(cmd)
        if program is not None and not steps.writes_files(cmd):
            if program in steps.HARMLESS_COMMANDS or re.fullmatch(r"go\d[\w.]*", program):
                return
            subcommands = [w.value for w in cmd.words[1:] if not w.text.startswith("-")]
            if program in steps.INSTALL and subcommands and subcommands[0] in steps.REMOVING:
                return
            if program in steps.BINARY_COMMANDS:
                workdir = self.candidate.facts.workdir(ins)
                operands = steps.operands(cmd)
                if program == "chmod" and operands:
                    operands = operands[1:]  # the mode
                targets = [gofacts.resolve(workdir, o) if o else None for o in operands]
                if targets and all(t in binaries for t in targets):
                    return
        raise Blocked(ins, self._after_build_reason(ins, " ".join(w.raw for w in cmd.words)))

    def _after_build_reason(self, ins: cst.Instruction, what: str) -> str:
        line = self.candidate.line(ins)
        return (
            f"`{' '.join(what.split())[:60]}` (line {line}) runs after the go build and may "
            "prepare the running container (packages, users, files, permissions); a "
            "distroless or scratch stage cannot run it. Move it before the build if it only "
            "serves the build, or split by hand"
        )

    # -- packages and directories -------------------------------------------------------------
    def check_packages_and_dirs(self) -> None:
        """Block on installed packages that are not build tools and on run-time directories."""
        stage = self.candidate.stage
        installed: list[tuple[str, str, cst.Instruction]] = []
        removed: set[str] = set()
        mkdirs: list[tuple[str, cst.Instruction]] = []
        for ins in stage.instructions:
            for text, _ in gofacts.run_scripts(ins):
                got, gone = steps.package_changes(text)
                installed += [(n, g, ins) for n, g in got]
                removed.update(gone)
                workdir = self.candidate.facts.workdir(ins)
                for cmd in shellwords.simple_commands(text):
                    if steps.program(cmd) == "mkdir":
                        for operand in steps.operands(cmd):
                            path = gofacts.resolve(workdir, operand) if operand else None
                            if path is not None:
                                mkdirs.append((path, ins))
        runtime_packages = [
            (n, ins)
            for n, g, ins in installed
            if n not in removed
            and not (g and g in removed)
            and n not in steps.BUILD_PACKAGES
            and not n.endswith(("-dev", "-devel", "-doc"))
            and not n.startswith(("golang", "go-"))
        ]
        if runtime_packages:
            names = ", ".join(dict.fromkeys(n for n, _ in runtime_packages))
            ins = runtime_packages[0][1]
            raise Blocked(
                ins,
                f"the stage installs {names} (line {self.candidate.line(ins)}), which the program "
                "may run at run time; distroless and scratch have no package manager. If "
                "they only serve the build, split by hand",
            )
        used = self._used_dirs()
        for path, ins in mkdirs:
            if any(path == u or u.startswith(path + "/") or path.startswith(u + "/") for u in used):
                continue
            raise Blocked(
                ins,
                f"line {self.candidate.line(ins)} creates {path}, which the build does not use, so "
                "the program probably does at run time; the runtime stage would not have it. "
                "Split by hand (e.g. create it with COPY --from=builder)",
            )

    def _used_dirs(self) -> set[str]:
        """Directories the build itself uses: WORKDIRs, COPY destinations, GOPATH, /tmp."""
        used = {"/go", "/tmp", "/root", "/usr/local/go", "/var/cache", "/var/lib/apt"}
        for ins in self.candidate.stage.instructions:
            if ins.name == "VOLUME":
                used.update(posixpath.normpath(a) for a in ins.args if a.startswith("/"))
        for ins in self.candidate.stage.instructions:
            workdir = self.candidate.facts.workdir(ins)
            if workdir is not None and ins.name in ("WORKDIR", "COPY", "ADD", "RUN"):
                used.add(workdir)
            if ins.name in ("COPY", "ADD") and len(ins.args) >= 2:
                dest = gofacts.resolve(workdir, ins.args[-1])
                if dest is not None:
                    used.add(dest)
        after = self.candidate.facts.workdir(None)
        if after is not None:
            used.add(after)
        return used

    # -- volumes --------------------------------------------------------------------------------
    def check_volume(self, ins: cst.Instruction) -> None:
        """Block when the stage writes into the ``VOLUME`` of ``ins``."""
        env = self.candidate.facts.env(ins)
        for raw in ins.args:
            path = gofacts.expand(raw, env)
            if path is None:
                raise Blocked(ins, f"the VOLUME path {raw} depends on an unknown variable")
            path = posixpath.normpath(path)
            for other in self.candidate.stage.instructions:
                if other is ins:
                    continue
                for text, _ in gofacts.run_scripts(other):
                    if re.search(rf"(?<![\w/.-]){re.escape(path)}(?![\w.-])", text):
                        raise Blocked(
                            ins,
                            f"line {self.candidate.line(other)} prepares the volume {path}; the "
                            "runtime stage would start with it empty and root-owned. Split by "
                            "hand",
                        )
                if other.name in ("COPY", "ADD") and len(other.args) >= 2:
                    workdir = self.candidate.facts.workdir(other)
                    dest = gofacts.resolve(workdir, other.args[-1])
                    if dest is not None and (dest == path or dest.startswith(path + "/")):
                        raise Blocked(
                            ins,
                            f"line {self.candidate.line(other)} copies files into the volume "
                            f"{path}; split by hand",
                        )
