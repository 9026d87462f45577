"""The instructions that move (or are copied) to the runtime stage, and how they change.

``EXPOSE``, ``LABEL``, ``STOPSIGNAL``, ``MAINTAINER``, ``VOLUME`` and ``HEALTHCHECK`` move; the
last ``USER`` moves unless it is root; ``ENV`` without the toolchain's variables is copied;
``COPY``/``ADD`` after the build move. A ``HEALTHCHECK`` must run the binary, whose path
changes.
"""

from __future__ import annotations

import functools
import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gofacts, shellwords
from dockerfix.facts.buildsteps import leading_comments
from dockerfix.fixer.split.candidate import Blocked, Candidate
from dockerfix.fixer.split.plan import Group
from dockerfix.fixer.split.steps import SHELLS, basename
from dockerfix.fixer.style import exec_form, new_instruction

__all__ = ["TOOLCHAIN_VARS", "MovedInstructions", "arguments_text"]

# Go toolchain variables (``go help environment``): they steer the build, not the program, so
# they stay in the builder. GOGC, GOMAXPROCS, GOMEMLIMIT, GODEBUG and GOTRACEBACK are read by
# the Go runtime and do go to the runtime stage.
TOOLCHAIN_VARS = frozenset(
    {
        "GO111MODULE", "GOARCH", "GOAUTH", "GOBIN", "GOCACHE", "GOCACHEPROG", "GOENV", "GOEXE",
        "GOEXPERIMENT", "GOFIPS140", "GOFLAGS", "GOHOSTARCH", "GOHOSTOS", "GOINSECURE",
        "GOMODCACHE", "GONOPROXY", "GONOSUMCHECK", "GONOSUMDB", "GOOS", "GOPATH", "GOPRIVATE",
        "GOPROXY", "GOROOT", "GOSUMDB", "GOTELEMETRY", "GOTELEMETRYDIR", "GOTMPDIR",
        "GOTOOLCHAIN", "GOTOOLDIR", "GOVCS", "GOWORK", "GOAMD64", "GOARM", "GOARM64", "GO386",
        "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM", "GOLANG_VERSION", "GCCGO",
        "AR", "CC", "CXX", "FC", "PKG_CONFIG", "PATH",
    }
)  # fmt: skip

_MOVED = frozenset({"EXPOSE", "LABEL", "STOPSIGNAL", "MAINTAINER", "VOLUME", "HEALTHCHECK"})
_ROOT_USERS = frozenset({"root", "0"})


@functools.cache
def _safe_env_value_re() -> re.Pattern[str]:
    """An ENV value that needs no quoting (compiled on first use: only for a split)."""
    return re.compile(r"[^\s\"'\\`]+")


def arguments_text(ins: cst.Instruction) -> str:
    """The logical line without its keyword."""
    logical = ins.logical.lstrip()
    return logical[len(ins.keyword) :]


def _user_part(value: str) -> tuple[str, str | None]:
    user, sep, group = value.partition(":")
    return user, group if sep else None


def _known_users(runtime: str) -> frozenset[str]:
    repo = gofacts.image_repository(runtime)
    if repo == "scratch":
        return frozenset()
    if "distroless" in repo or "chainguard" in repo:
        return frozenset({"root", "nonroot", "nobody"})
    return frozenset({"root", "nobody"})


def _healthcheck_head(ins: cst.Instruction) -> str:
    """``HEALTHCHECK [flags] CMD`` as written (the keyword upper-cased)."""
    words = ins.logical.split()
    head = ["HEALTHCHECK"]
    for word in words[1:]:
        head.append(word)
        if word.upper() == "CMD":
            break
    return " ".join(head)


class MovedInstructions:
    """Chooses what goes to the runtime stage and rewrites it for that stage."""

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate

    def groups(
        self, cwd: str | None, start_nodes: list[cst.Instruction]
    ) -> tuple[list[Group], bool]:
        """What moves, in order, and whether a ``COPY``/``ADD`` after the build is among it.

        ``cwd`` is the container's working directory, ``start_nodes`` the start command's
        instructions (they are rewritten, not moved).
        """
        stage = self.candidate.stage
        instructions = stage.instructions
        last_index = self.candidate.last_build_index
        run_indexes = [i for i, x in enumerate(instructions) if x.name == "RUN"]
        groups: list[Group] = []
        moved_copies = False
        users = [i for i in instructions if i.name == "USER"]
        for index, ins in enumerate(instructions):
            name = ins.name
            if ins in start_nodes:
                continue
            comments = leading_comments(self.candidate.tree, ins)
            if name in _MOVED:
                groups.append(Group(ins, comments))
            elif name == "USER" and users and ins is users[-1]:
                group = self._user_group(ins, comments, run_indexes, index)
                if group is not None:
                    groups.append(group)
            elif name == "ENV":
                group = self._env_group(ins)
                if group is not None:
                    groups.append(group)
            elif name in ("COPY", "ADD") and index > last_index:
                self._check_moved_copy(ins, cwd)
                groups.append(Group(ins, comments))
                moved_copies = True
        return groups, moved_copies

    def _user_group(
        self,
        ins: cst.Instruction,
        comments: list[cst.Comment],
        run_indexes: list[int],
        index: int,
    ) -> Group | None:
        env = self.candidate.facts.env(ins)
        raw = ins.args[0] if ins.args else ""
        value = gofacts.expand(raw, env)
        if value is None:
            raise Blocked(ins, f"USER {raw} depends on a variable dockerfix cannot resolve")
        user, group = _user_part(value)
        if user in _ROOT_USERS:
            return None  # stays in the builder; the runtime stage gets its own USER
        known = _known_users(self.candidate.runtime)
        for part in (user, group):
            if part is None or part.isdigit() or part in known:
                continue
            raise Blocked(
                ins,
                f"USER {value}: {self.candidate.runtime} has no user or group `{part}` (it has "
                f"{', '.join(sorted(known)) or 'no /etc/passwd'}); use a numeric USER such as "
                "65532:65532 by hand",
            )
        if any(i > index for i in run_indexes):
            # later RUN steps of the build run as this user: keep it there, copy it over
            copy = new_instruction(self.candidate.tree, "USER " + arguments_text(ins).strip())
            return Group(ins, [], new=copy, keep_in_builder=True)
        return Group(ins, comments)

    def _env_group(self, ins: cst.Instruction) -> Group | None:
        args = ins.args
        triples = [(args[i], args[i + 1], args[i + 2]) for i in range(0, len(args) - 2, 3)]
        runtime = [t for t in triples if t[0] not in TOOLCHAIN_VARS and not t[0].startswith("CGO_")]
        if not runtime:
            return None
        if len(runtime) == len(triples):
            key, value, sep = triples[0]
            if len(triples) == 1 and sep == "" and _safe_env_value_re().fullmatch(value):
                text = f"ENV {key}={value}"
            else:
                text = "ENV " + arguments_text(ins).strip()
        else:
            text = "ENV " + " ".join(f"{k}={v}" for k, v, _ in runtime)
        return Group(ins, [], new=new_instruction(self.candidate.tree, text), keep_in_builder=True)

    def _check_moved_copy(self, ins: cst.Instruction, cwd: str | None) -> None:
        chown = ins.flag("chown")
        if chown:
            user, group = _user_part(chown)
            known = _known_users(self.candidate.runtime)
            for part in (user, group):
                if part is None or part.isdigit() or part in known or "$" in part:
                    continue
                raise Blocked(
                    ins,
                    f"--chown={chown}: {self.candidate.runtime} has no user or group `{part}`; use "
                    "numeric ids by hand",
                )
        dest = ins.args[-1] if ins.args else ""
        if not dest.startswith("/"):
            here = self.candidate.facts.workdir(ins)
            if here is None or here != cwd:
                raise Blocked(
                    ins,
                    f"`{self.candidate.shown(ins)}` after the build copies to a relative path "
                    "in another working directory than the program's; split by hand",
                )

    def map_healthchecks(
        self, groups: list[Group], binary: str, runtime_binary: str, cwd: str | None
    ) -> None:
        """Point each moved exec-form ``HEALTHCHECK`` at ``runtime_binary``; block others.

        A check must run ``binary`` (by path from ``cwd``, or by name on the ``PATH``).
        """
        for group in groups:
            ins = group.instruction
            if ins.name != "HEALTHCHECK":
                continue
            args = ins.args
            if args and args[0].upper() == "NONE":
                continue
            if ins.is_exec_form:
                argv = list(args[1:])
            else:
                # a shell-form check with no shell feature is a plain command: exec form
                words = shellwords.split_words(" ".join(args[1:])) if len(args) > 1 else None
                if words is None:
                    raise Blocked(
                        ins,
                        "the HEALTHCHECK needs a shell (which distroless/scratch images "
                        "lack) for what it runs; use an exec-form check that runs the binary "
                        "(e.g. a `health` subcommand), or an orchestrator probe, then split",
                    )
                argv = words
                self.candidate.notes.append(
                    "the shell-form HEALTHCHECK needs no shell: it becomes exec form"
                )
            if not argv:
                raise Blocked(ins, "the HEALTHCHECK has no command")
            prog = basename(argv[0])
            path = gofacts.resolve(cwd, argv[0]) if "/" in argv[0] else None
            if path != binary and not (
                "/" not in argv[0]
                and prog == posixpath.basename(binary)
                and posixpath.dirname(binary)
                in self.candidate.facts.env(None).get("PATH", "").split(":")
            ):
                tool = "a shell" if prog in SHELLS else f"`{prog}`"
                raise Blocked(
                    ins,
                    f"the HEALTHCHECK runs {tool}, which distroless/scratch images lack (they "
                    "have no shell, curl or wget); "
                    "make the binary check itself (a `health` subcommand) or use an "
                    "orchestrator probe, then split",
                )
            head = _healthcheck_head(ins)
            text = f"{head} {exec_form([runtime_binary, *argv[1:]])}"
            group.new = new_instruction(self.candidate.tree, text)
