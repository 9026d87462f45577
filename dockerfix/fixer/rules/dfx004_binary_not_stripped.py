"""DFX004 binary-not-stripped."""

from __future__ import annotations

import functools
import re

from dockerfix import cst
from dockerfix.facts import buildsteps, gocmd, gofacts, stagegraph
from dockerfix.facts.shellwords import quote_word
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid

MESSAGE = "`go {sub}` without `-ldflags '-w -s'`"
_LIBRARY_BUILDMODES = ("plugin", "c-shared", "c-archive")


@functools.cache
def _debugger_re() -> re.Pattern[str]:
    """``dlv`` or ``delve`` as a word, in any case (compiled on first use)."""
    return re.compile(r"\b(?:dlv|delve)\b", re.IGNORECASE)


def _find_debugger(code: str) -> re.Match[str] | None:
    """The first ``dlv``/``delve`` in ``code``, compiling the pattern only if one may be there.

    Under IGNORECASE the letters d, l, v, e match their ASCII upper and lower case only (no
    other code point folds to them), so a match needs "dlv" or "delve" in ``code.lower()``.
    """
    low = code.lower()
    if "dlv" not in low and "delve" not in low:
        return None
    return _debugger_re().search(code)


@functools.cache
def _debug_gcflags_re() -> re.Pattern[str]:
    """-N (no optimisation) or -l (no inlining) in a -gcflags value: a debug build."""
    return re.compile(r"(?:^|[\s=,'\"])-(?:N|l)(?:$|[\s=,'\"])")


def _edit(ins: cst.Instruction, offset: int, old: str, new: str) -> cst.Instruction:
    """``ins`` with ``old`` (at ``offset`` in the logical line) changed to ``new``, minimally."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return ins.replace_span(
        offset + prefix, offset + len(old) - suffix, new[prefix : len(new) - suffix]
    )


def _merged(step: buildsteps.GoStep) -> str | None:
    """The step's script with ``-w -s`` merged in, None when the command already has them."""
    new = gocmd.merge_ldflags(step.script, step.command)
    return None if new == step.script else new


def _stripped_by_variable(step: buildsteps.GoStep, env: dict[str, str]) -> bool:
    """True when ``-ldflags "$LDFLAGS"`` expands, with the stage's values, to ``-s -w``."""
    flag = step.command.ldflags_flag
    if flag is None or flag.value is None or not flag.dynamic:
        return False
    expanded = gofacts.expand(flag.value, env)
    if expanded is None:
        return False
    probe = f"go build -ldflags {quote_word(expanded)}"
    commands = gocmd.find_go_commands(probe)
    return len(commands) == 1 and gocmd.merge_ldflags(probe, commands[0]) == probe


def _shipped_steps(tree: cst.Dockerfile, ctx: RuleContext) -> set[tuple[int, int, int, str]]:
    """The Go steps whose programs may ship: (stage, instruction's place, start, command)."""
    bc = ctx.build_context
    module_path = bc.module_path if bc is not None else None
    packages = bc.module_packages if bc is not None else None
    found: set[tuple[int, int, int, str]] = set()
    for stage in tree.stages:
        builds: dict[tuple[int, int, str], gofacts.GoBuild] | None = None
        for position, ins in enumerate(stage.instructions):
            for step in buildsteps.instruction_steps(ins):
                cmd = step.command
                remote = buildsteps.is_remote_install(cmd)
                if not remote and not buildsteps.produces_binary(cmd):
                    continue
                if cmd.subcommand == "build" and stagegraph.in_a_target(tree, stage):
                    ships = True  # whatever it writes is in an image: no need to name it
                else:
                    if builds is None:  # named once per stage, and only when needed
                        builds = {
                            (id(b.instruction), b.command.start, b.command.raw): b
                            for b in gofacts.go_builds(tree, module_path, stage, packages)
                        }
                    ships = _ships(tree, stage, step, remote, builds)
                if ships:
                    found.add((stage.index, position, cmd.start, cmd.raw))
    return found


def _ships(
    tree: cst.Dockerfile,
    stage: cst.Stage,
    step: buildsteps.GoStep,
    remote: bool,
    builds: dict[tuple[int, int, str], gofacts.GoBuild],
) -> bool:
    """True when the step, which compiles a program, writes one that may end up in an image.

    Not a ``go install`` of libraries only (it fills the build cache) nor a program that
    stays in a stage no target takes it from (a tool the build runs). A ``go install
    pkg@version`` (``remote``) counts only when it is copied into a target: installed where
    it is made, it is a tool for that image's user.
    """
    cmd = step.command
    build = builds.get((id(step.instruction), cmd.start, cmd.raw))
    if build is None or build.outputs is None:
        return not remote  # an exec-form RUN, or outputs that cannot be told: as written
    if build.compile_only:
        return False
    return any(
        stagegraph.reaches_a_target(tree, stage, path, where_made=not remote)
        for path in build.outputs
    )


class BinaryNotStripped(Rule):
    """Ships a Go binary with its symbol table and DWARF debug information.

    ## What it does
    Adds ``-ldflags '-w -s'`` to every ``go build`` (and ``go install`` of the
    project's own packages) in the shell text of a ``RUN`` whose program may
    ship: it is built in a stage an image is made of (the last stage, or one no
    other stage uses, which ``--target`` can ask for), or a ``COPY --from``
    takes it there. So a generator built and run in the builder, and a
    ``go install`` of library packages that only fills the build cache
    (``go install std``, ``go install ./internal/...`` with the build context),
    are left alone, and a ``go install pkg@version`` is stripped when its
    binary is copied into the image (``COPY --from=tools /go/bin/probe /bin/``),
    not when installed as a tool where it is. An existing
    ``-ldflags`` is *merged* into, never shadowed: ``-X main.version=...`` and
    every other linker flag survive, whatever the quoting (``'...'``,
    ``"..."``, unquoted, ``-ldflags=...``); flags already in effect are not
    added twice, including through a variable the Dockerfile sets
    (``ENV LDFLAGS="-s -w ..."`` used as ``-ldflags "$LDFLAGS"``). Only the
    characters of that flag change: continuations and comment lines elsewhere
    in the ``RUN`` are kept byte for byte.

    ## Why is this bad?
    ``-s`` drops the symbol table and ``-w`` the DWARF debug information: the
    binary, and so the image, is typically 20-30% smaller. Panics still print
    full stack traces (they use the runtime's own tables, not DWARF).

    ## Fix safety
    Stripping breaks debugging, so nothing is changed for a debug build: a
    ``-gcflags`` with ``-N`` or ``-l`` (or one taken from a variable, as
    Skaffold's ``SKAFFOLD_GO_GCFLAGS`` is for debugging), or a file that
    installs or runs the Delve debugger (``dlv``). Also reported and left alone:
    a ``GOFLAGS`` carrying ``-ldflags`` (a command-line ``-ldflags`` would
    replace it, since Go keeps only the last one), ``-buildmode=plugin``/
    ``c-shared``/``c-archive`` (libraries, not programs), and a ``go build`` in
    a heredoc body or an exec-form ``RUN`` (edit those by hand). ``go test -c``,
    builds that write no program (``-o /dev/null``, ``go build ./...``) and
    programs that do not ship are not touched; a build whose binary cannot be
    named (``-o $OUT``, ``go install ./...`` without the build context) is taken
    to ship.

    ## Example
    ```dockerfile
    RUN go build -ldflags "-X main.version=${VERSION}" -o /app .
    ```
    becomes
    ```dockerfile
    RUN go build -ldflags "-X main.version=${VERSION} -w -s" -o /app .
    ```
    """

    code = "DFX004"
    name = "binary-not-stripped"
    summary = "Go binary built with debug information; add -ldflags '-w -s'"

    VALID = (
        Valid("FROM golang:1.23\nRUN go build -ldflags='-s -w' -o /app .\n"),
        Valid('FROM golang:1.23\nRUN go build -gcflags="all=-N -l" -o /app .\n'),
        Valid("FROM golang:1.23\nRUN go test -c -o /t ./pkg\n"),
        Valid("FROM node:22\nRUN npm run build\n"),  # not Go
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nRUN go build -o /app .\n",
            expected="FROM golang:1.23\nRUN go build -ldflags '-w -s' -o /app .\n",
        ),
        Invalid(
            'FROM golang:1.23\nRUN go build -ldflags "-X main.version=$V" -o /app .\n',
            expected=(
                'FROM golang:1.23\nRUN go build -ldflags "-X main.version=$V -w -s" -o /app .\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN <<EOF\ngo build -o /app .\nEOF\n",
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Merge ``-w -s`` into the ``-ldflags`` of every ``go build`` where it is safe."""
        if not gofacts.builds_go(tree):
            return tree
        debugger = _find_debugger(tree.code)
        shipped = _shipped_steps(tree, ctx)  # before any edit: they do not change what ships
        for index in range(len(tree.stages)):
            stage = tree.stages[index]
            env = buildsteps.lineage_env(tree, stage)
            for position, ins in enumerate(stage.instructions):
                steps = [
                    s
                    for s in buildsteps.instruction_steps(ins)
                    if (index, position, s.command.start, s.command.raw) in shipped
                ]
                if steps and not ctx.suppressed(ins):
                    tree = self._fix_run(tree, ins, steps, ctx, debugger, env)
        return tree

    def _fix_run(
        self,
        tree: cst.Dockerfile,
        ins: cst.Instruction,
        steps: list[buildsteps.GoStep],
        ctx: RuleContext,
        debugger: re.Match[str] | None,
        env: dict[str, str],
    ) -> cst.Dockerfile:
        todo: list[tuple[buildsteps.GoStep, str]] = []
        for step in steps:
            try:
                merged = _merged(step)
            except ValueError:  # merge_ldflags refuses it; _blocker says why
                merged = step.script
            else:
                if merged is None or _stripped_by_variable(step, env):
                    continue  # -w and -s are already in effect
            reason = self._blocker(step, debugger, env.get("GOFLAGS", ""))
            if reason is None and not step.editable:
                where = "a heredoc body" if step.where == "heredoc" else "an exec-form RUN"
                reason = (
                    f"the command is in {where}, which dockerfix does not edit; "
                    "add -ldflags '-w -s' by hand (merged into any existing -ldflags)"
                )
            if reason is not None:
                message = MESSAGE.format(sub=step.command.subcommand)
                ctx.report(ins, message, fixed=False, reason=reason)
                continue
            todo.append((step, merged))
        if not todo:
            return tree
        new = ins
        for step, merged in sorted(todo, key=lambda t: t[0].command.start, reverse=True):
            assert step.offset is not None
            new = _edit(new, step.offset, step.script, merged)
        if new.logical == ins.logical:
            return tree
        subs = sorted({s.command.subcommand or "build" for s, _ in todo})
        ctx.touch(ins)
        ctx.report(
            ins,
            MESSAGE.format(sub="/".join(subs))
            + " keeps the symbol table and debug information; strip them",
            fixed=True,
        )
        return tree.replace(ins, new)

    @staticmethod
    def _blocker(
        step: buildsteps.GoStep, debugger: re.Match[str] | None, goflags: str
    ) -> str | None:
        """Why the step must not be stripped, or None."""
        cmd = step.command
        mode = cmd.flag("buildmode")
        if mode is not None and (mode.value or "") in _LIBRARY_BUILDMODES:
            return (
                f"-buildmode={mode.value} builds a library, not a program; strip it by hand "
                "if its consumers do not need the symbols"
            )
        gcflags = cmd.flag("gcflags")
        if gcflags is not None and gcflags.value is not None:
            if _debug_gcflags_re().search(gcflags.value):
                return (
                    "-gcflags turns off optimisations or inlining (-N/-l): a debug build, "
                    "which stripping would make undebuggable"
                )
            if gcflags.dynamic:
                return (
                    f"-gcflags comes from a variable ({gcflags.value}) that may ask for a debug "
                    "build (Skaffold sets SKAFFOLD_GO_GCFLAGS='all=-N -l' to debug); strip "
                    "only the release build, by hand"
                )
        if debugger is not None:
            return (
                f"the file uses the Delve debugger ({debugger.group(0)}), which cannot debug "
                "a stripped binary; add -ldflags '-w -s' to the release build by hand"
            )
        if "ldflags" in goflags and cmd.ldflags_flag is None:
            return (
                "GOFLAGS (set by ENV/ARG) carries -ldflags, and a command-line -ldflags would "
                "replace it (Go keeps only the last one); add -w -s to GOFLAGS by hand"
            )
        blocker = gocmd.ldflags_blocker(step.script, cmd)
        if blocker is not None:
            return blocker + "; add -w -s where the -ldflags are set, by hand"
        return None
