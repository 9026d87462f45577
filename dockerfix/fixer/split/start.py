"""The start command (``ENTRYPOINT``/``CMD``) and the build that writes the binary it runs."""

from __future__ import annotations

import posixpath

from dockerfix import cst
from dockerfix.facts import gocmd, gofacts, shellwords
from dockerfix.fixer.split.candidate import Blocked, Candidate
from dockerfix.fixer.split.steps import SHELLS, basename
from dockerfix.record import Record

__all__ = ["Start", "StartCommand"]


class Start(Record):
    """How the container starts.

    ``argv`` is the program and its arguments, ``cmd_args`` the exec-form ``CMD`` that an
    ``ENTRYPOINT`` receives (None without one), ``anchor`` the instruction that names the
    program, ``nodes`` the ``ENTRYPOINT`` and ``CMD`` that are in force.
    """

    argv: list[str]
    cmd_args: list[str] | None
    anchor: cst.Instruction
    nodes: list[cst.Instruction]


class StartCommand:
    """Reads the start command and finds the build whose binary it runs."""

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate

    def check_go_run(self) -> None:
        """Explain a container that starts with ``go run`` (it has nothing to split yet)."""
        for ins in reversed(self.candidate.stage.instructions):
            if ins.name not in ("CMD", "ENTRYPOINT"):
                continue
            argv = (
                list(ins.args) if ins.is_exec_form else shellwords.split_words(ins.shell_text or "")
            )
            if argv and gocmd.find_go_commands(" ".join(shellwords.quote_word(a) for a in argv)):
                self._check_program(argv, ins)
            return

    def read(self) -> Start:
        """The start command in force; blocked when it is missing or needs a shell."""
        stage = self.candidate.stage
        eps = [i for i in stage.instructions if i.name == "ENTRYPOINT"]
        cmds = [i for i in stage.instructions if i.name == "CMD"]
        ep = eps[-1] if eps else None
        cmd = cmds[-1] if cmds else None
        if ep is None and cmd is None:
            raise Blocked(
                self.candidate.from_,
                "no CMD or ENTRYPOINT says which program the container runs; add "
                'ENTRYPOINT ["/path/to/binary"] (or split by hand)',
            )
        cmd_args: list[str] | None = None
        if ep is not None:
            anchor = ep
            if not ep.is_exec_form:
                if cmd is not None:
                    raise Blocked(
                        ep,
                        "a shell-form ENTRYPOINT ignores the CMD, while an exec-form one would "
                        "receive it as arguments; merge them into one exec-form ENTRYPOINT by "
                        "hand",
                    )
                argv = self._shell_argv(ep)
            else:
                argv = list(ep.args)
            if cmd is not None:
                if not cmd.is_exec_form:
                    raise Blocked(
                        cmd,
                        "the shell-form CMD reaches the ENTRYPOINT as `/bin/sh -c ...` "
                        "arguments, which need a shell; write it in exec form by hand",
                    )
                cmd_args = list(cmd.args)
        else:
            assert cmd is not None
            anchor = cmd
            argv = list(cmd.args) if cmd.is_exec_form else self._shell_argv(cmd)
        if not argv:
            raise Blocked(anchor, f"the {anchor.name} is empty; add the program to run")
        self._check_program(argv, anchor)
        nodes = [n for n in (ep, cmd) if n is not None]
        return Start(argv, cmd_args, anchor, nodes)

    def _shell_argv(self, ins: cst.Instruction) -> list[str]:
        text = ins.shell_text or ""
        features = shellwords.shell_features(text)
        if features:
            raise Blocked(
                ins,
                f"the {ins.name} needs a shell ({', '.join(features)}) and distroless/scratch "
                "images have none; move that logic into the program (flags, defaults, "
                "os.Getenv) and use an exec-form ENTRYPOINT, then split",
            )
        words = shellwords.split_words(text)
        if not words:
            raise Blocked(ins, f"the shell-form {ins.name} is empty or its quoting is unbalanced")
        if words[0] == "exec" and len(words) > 1:
            words = words[1:]
        return words

    def _check_program(self, argv: list[str], anchor: cst.Instruction) -> None:
        prog = basename(argv[0])
        if prog in SHELLS:
            raise Blocked(
                anchor,
                f"the container starts through a shell (`{self.candidate.shown(anchor)}`) and "
                "distroless/scratch images have none; start the binary directly with an "
                "exec-form ENTRYPOINT, then split",
            )
        if gocmd.find_go_commands(" ".join(shellwords.quote_word(a) for a in argv)):
            sub = argv[1] if len(argv) > 1 else ""
            what = (
                "compiles and runs the program with `go run`"
                if sub == "run"
                else "runs the go tool"
            )
            raise Blocked(
                anchor,
                f"the container {what} when it starts, so it needs the toolchain; build the "
                "binary in a RUN (e.g. `RUN go build -o /app/server .`) and start it with "
                'an exec-form ENTRYPOINT (["/app/server"]); then dockerfix can split the stage',
            )

    def binary_build(
        self, builds: list[gofacts.GoBuild], program: str, anchor: cst.Instruction
    ) -> tuple[gofacts.GoBuild, str]:
        """The build among ``builds`` that writes ``program``, the binary the container runs.

        Returned with the binary's path in the builder.
        """
        by_output: dict[str, gofacts.GoBuild] = {}
        for b in builds:
            for written in b.outputs or ():
                by_output[written] = b
        unknown = [b for b in builds if b.outputs is None]
        chosen: str | None = None
        if "/" in program:
            cwd = self.candidate.facts.workdir(None)
            path = gofacts.resolve(cwd, program)
            if path is None:
                raise Blocked(
                    anchor,
                    f"the start command runs `{program}` relative to a working directory "
                    "dockerfix cannot determine; use an absolute path",
                )
            if path in by_output:
                chosen = path
        else:
            env = self.candidate.facts.env(None)
            for directory in env.get("PATH", "").split(":"):
                on_path = posixpath.join(directory or ".", program)
                if on_path in by_output:
                    chosen = on_path
                    break
        if chosen is not None:
            tools = [b for b in self.candidate.builds if b.remote]
            for tool in tools:
                names = [
                    gocmd.default_binary_name(None, p.split("@", 1)[0])
                    for p in tool.command.packages
                ]
                if basename(chosen) in names and "/" not in program:
                    raise Blocked(
                        anchor,
                        f"`{program}` may be the tool that "
                        f"`{self.candidate.shown(tool.instruction)}` installs rather than the "
                        "application; use the binary's absolute path",
                    )
            return by_output[chosen], chosen
        if unknown:
            b = unknown[0]
            raise Blocked(b.instruction, self._unknown_output_reason(b))
        outputs = ", ".join(sorted(by_output)) or "nothing"
        raise Blocked(
            anchor,
            f"the start command runs `{program}`, which is not the binary the build writes "
            f"({outputs}); the runtime stage would have nothing to run it with. Start the "
            "built binary directly (exec form), or split by hand",
        )

    def _names_unknown(self) -> str:
        """Why the binaries of a pattern or an output folder have no names."""
        bc = self.candidate.bc
        if bc is None:
            return (
                "without the build context dockerfix cannot tell their names (run it with "
                "the Dockerfile's path)"
            )
        return (
            "dockerfix cannot tell their names from the build context (a package outside "
            "the module, a go.work workspace, a variable, or two main packages with the "
            "same name)"
        )

    def _unknown_output_reason(self, build: gofacts.GoBuild) -> str:
        cmd = build.command
        where = f"`{self.candidate.written_command(build)}`"
        if build.workdir is None:
            return f"the working directory of {where} cannot be determined; use absolute paths"
        if cmd.output is not None:
            if "$" not in cmd.output and "`" not in cmd.output:
                return (
                    f"{where} writes into the folder {cmd.output}, one binary per main "
                    f"package, and {self._names_unknown()}; build the program with "
                    "`-o /path/to/binary`"
                )
            return (
                f"the output path of {where} depends on a variable or command substitution "
                "dockerfix cannot resolve; write -o with a literal path"
            )
        packages = list(cmd.packages)
        if any("..." in p or "$" in p for p in packages) or len(packages) > 1:
            return (
                f"{where} may write several binaries and {self._names_unknown()}; build the "
                "program with `-o /path/to/binary`"
            )
        if self.candidate.bc is None:
            return (
                f"without -o, {where} names the binary after the module path in go.mod, which "
                "is unknown without the build context; add `-o /path/to/binary` or run "
                "dockerfix with the Dockerfile's path"
            )
        return f"dockerfix cannot tell which file {where} writes; add `-o /path/to/binary`"
