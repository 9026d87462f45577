"""DFX005 shell-form-entrypoint."""

from __future__ import annotations

from dockerfix import cst
from dockerfix.facts import gofacts, shellwords
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import exec_form

# Base images known to define no ENTRYPOINT of their own: replacing a CMD by an
# ENTRYPOINT on them cannot bypass one.
_NO_ENTRYPOINT_REPOS = (
    "scratch",
    "alpine",
    "busybox",
    "debian",
    "ubuntu",
    "golang",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "redhat/ubi",
    "registry.access.redhat.com/ubi",
    "gcr.io/distroless/static",
    "gcr.io/distroless/base",
    "gcr.io/distroless/cc",
)


def base_has_no_entrypoint(tree: cst.Dockerfile, stage: cst.Stage) -> bool:
    """True when the stage's base image (followed through earlier stages) sets no ENTRYPOINT."""
    stages = tree.stages
    seen = 0
    while seen < len(stages):
        image = gofacts.stage_image(tree, stage)
        parent = next((s for s in stages[: stage.index] if s.name and s.name == image), None)
        if parent is None:
            repo = gofacts.image_repository(image)
            short = repo.removeprefix("docker.io/").removeprefix("library/")
            return any(
                short == r or short.startswith(r + "-") or short.startswith(r + "/")
                for r in _NO_ENTRYPOINT_REPOS
            ) or gofacts.is_go_image(image)
        if any(i.name == "ENTRYPOINT" for i in parent.instructions):
            return False
        stage = parent
        seen += 1
    return False


def exec_argv(
    tree: cst.Dockerfile, stage: cst.Stage, ins: cst.Instruction
) -> tuple[list[str] | None, str]:
    """The exec-form argv for a shell-form command, or None and the reason it needs a shell."""
    text = ins.shell_text or ""
    features = shellwords.shell_features(text)
    if features:
        return None, ", ".join(features)
    words = shellwords.split_words(text)
    if not words:
        return None, "the command is empty or its quoting is unbalanced"
    if words[0] == "exec" and len(words) > 1:
        words = words[1:]
    program = words[0]
    if "/" in program and not program.startswith("/"):
        absolute = gofacts.resolve(gofacts.workdir_at(tree, stage, ins), program)
        if absolute is not None:
            words[0] = absolute
    return words, ""


class ShellFormEntrypoint(Rule):
    """Runs the container through ``/bin/sh -c`` with a shell-form ``CMD`` or ``ENTRYPOINT``.

    ## What it does
    In the final stage of a Go Dockerfile, turns the shell-form command that
    starts the container into an exec-form ``ENTRYPOINT``: ``CMD ./app --port
    8080`` becomes ``ENTRYPOINT ["/app/app", "--port", "8080"]`` (a relative
    program path is made absolute against the stage's ``WORKDIR``; a leading
    ``exec`` is dropped). Arguments are split as a POSIX shell would split them.

    ## Why is this bad?
    In shell form the application runs as a child of ``/bin/sh -c``: it does
    not receive ``SIGTERM`` on ``docker stop`` and is killed after the grace
    period, and it needs a shell, which distroless and scratch images lack.

    ## Fix safety
    Not applied when the command uses anything only a shell gives: ``$VAR``,
    ``&&``, pipes, redirections, globs, subshells, ``;``, ``~`` (exec form
    would pass them literally); when the stage also has a ``CMD`` next to a
    shell-form ``ENTRYPOINT`` (it would start being appended as arguments);
    when a shell-form ``CMD`` sits next to an ``ENTRYPOINT``; or when the base
    image may define an ``ENTRYPOINT`` of its own that the new one would
    replace. Note that arguments given to ``docker run IMAGE ...`` are now
    appended to the entrypoint instead of replacing the command.

    ## Example
    ```dockerfile
    FROM golang:1.23
    WORKDIR /src
    COPY . .
    RUN go build -o app .
    CMD ./app --port 8080
    ```
    becomes
    ```dockerfile
    ENTRYPOINT ["/src/app", "--port", "8080"]
    ```
    """

    code = "DFX005"
    name = "shell-form-entrypoint"
    summary = "Shell-form CMD/ENTRYPOINT; use an exec-form ENTRYPOINT"

    VALID = (
        Valid('FROM golang:1.23\nRUN go build -o /app .\nENTRYPOINT ["/app"]\n'),
        Valid("FROM node:22\nCMD node server.js\n"),  # not Go
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nWORKDIR /src\nRUN go build -o app .\nCMD ./app --port 8080\n",
            expected=(
                "FROM golang:1.23\nWORKDIR /src\nRUN go build -o app .\n"
                'ENTRYPOINT ["/src/app", "--port", "8080"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN go build -o /app .\nCMD /app --port $PORT\n",
            expected=None,
        ),
        Invalid(
            "from golang:1.23\nrun go build -o /app .\ncmd exec /app 'a b'\n",
            expected='from golang:1.23\nrun go build -o /app .\nentrypoint ["/app", "a b"]\n',
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Convert the final stage's shell-form start command, when it is safe."""
        stages = tree.stages
        if not stages or not gofacts.builds_go(tree):
            return tree
        stage = stages[-1]
        starts = [i for i in stage.instructions if i.name in ("CMD", "ENTRYPOINT")]
        entrypoints = [i for i in starts if i.name == "ENTRYPOINT"]
        cmds = [i for i in starts if i.name == "CMD"]
        target = entrypoints[-1] if entrypoints else (cmds[-1] if cmds else None)
        if target is None or target.is_exec_form or ctx.suppressed(target):
            return tree
        what = f"shell-form {target.name}"
        if target.name == "ENTRYPOINT" and cmds:
            ctx.report(
                target,
                f"{what} runs through /bin/sh -c",
                fixed=False,
                reason="the stage also has a CMD, which an exec-form ENTRYPOINT would "
                "receive as arguments; merge them by hand",
            )
            return tree
        if target.name == "CMD" and entrypoints:
            return tree  # CMD is only arguments here; the ENTRYPOINT decides
        if target.name == "CMD" and not base_has_no_entrypoint(tree, stage):
            ctx.report(
                target,
                f"{what} runs through /bin/sh -c",
                fixed=False,
                reason="the base image may define an ENTRYPOINT that a new one would "
                "replace; check it and convert by hand",
            )
            return tree
        argv, why = exec_argv(tree, stage, target)
        if argv is None:
            ctx.report(
                target,
                f"{what} runs through /bin/sh -c",
                fixed=False,
                reason=f"the command needs a shell ({why}); exec form would not "
                "expand it and distroless/scratch have no shell. Move that logic "
                "into the application or keep a shell-capable runtime image",
            )
            return tree
        keyword = "entrypoint" if target.keyword.islower() else "ENTRYPOINT"
        new = target.with_logical(f"{keyword} {exec_form(argv)}")
        ctx.touch(target)
        ctx.report(
            target, f"{what} runs through /bin/sh -c; use an exec-form ENTRYPOINT", fixed=True
        )
        return tree.replace(target, new)
