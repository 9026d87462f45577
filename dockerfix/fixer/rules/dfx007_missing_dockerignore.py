"""DFX007 missing-dockerignore."""

from __future__ import annotations

import os
import posixpath

from dockerfix import cst
from dockerfix.facts import dockerignore, gofacts
from dockerfix.facts.context import BuildContext
from dockerfix.facts.sources import context_sources, whole_context
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid

_GO_MOD = "module example.com/hello\n\ngo 1.23\n"
_MAIN_GO = 'package main\n\nfunc main() { println("hello") }\n'


def _found(context: BuildContext, source: str) -> bool:
    cleaned = posixpath.normpath(source.replace("\\", "/")).lstrip("/")
    if "*" in cleaned or "?" in cleaned or "[" in cleaned:  # a glob
        entries = [*context.files, *context.dirs]
        return any(dockerignore.pattern_matches(cleaned, e) for e in entries)
    return context.exists(cleaned) or os.path.lexists(os.path.join(context.directory, cleaned))


def _context_elsewhere(context: BuildContext, sources: list[str]) -> str | None:
    """Why the Dockerfile's folder is probably not its build context, or None."""
    if context.truncated:
        return None
    literal = [s for s in sources if "$" not in s and not whole_context(s)]
    if literal:
        if any(_found(context, s) for s in literal):
            return None
        shown = ", ".join(literal[:3])
        return f"none of the files it copies ({shown}) is next to the Dockerfile"
    if sources and not (context.go_mods or context.has_go_files):
        return "it copies the build context but there is no Go code next to the Dockerfile"
    return None


class MissingDockerignore(Rule):
    """The build context of a Go Dockerfile has no ``.dockerignore``.

    ## What it does
    When the Dockerfile's path is known and it builds Go, and the build reads no ignore
    file (a Dockerfile-specific ``<Dockerfile>.dockerignore`` beside it, a ``.dockerignore``
    or ``.containerignore`` at the root of its build context), asks for a new
    ``.dockerignore`` at the root of the context (written with ``--write``; the Dockerfile
    itself is unchanged). When other Dockerfiles are built with the same context (the
    repository's compose, bake or CI files say so, or they sit beside it in its own
    folder), a root file would change their builds too: it asks for the
    Dockerfile-specific ``<Dockerfile>.dockerignore`` beside the Dockerfile instead, which
    BuildKit reads for this Dockerfile alone.
    It leaves out version control (``.git``), top-level Markdown, local configuration and
    editor settings (``.env``, ``*.local``, compose files, ``.vscode``, ``.idea``) and local
    build outputs, and never what the build needs: ``go.mod``/``go.sum``/``go.work``,
    ``vendor/``, the Go packages, every ``COPY``/``ADD`` source and ``RUN --mount`` bind
    source, every ``//go:embed`` target and every file the program reads at run time.
    An existing ignore file is never overwritten.

    ## Why is this bad?
    Without a ``.dockerignore`` the whole folder is sent to the builder on every build: the
    ``.git`` history slows every build down, any change to a README or a local file
    invalidates the ``COPY . .`` layer and the build after it, and local secrets (``.env``)
    end up in the builder's layers and, through ``COPY . .``, in images.

    ## Fix safety
    Nothing the Dockerfile copies, mounts or embeds is excluded: a pattern that would hit a
    needed file is dropped or followed by a ``!`` re-include. A ``COPY . .`` build that
    relied on an excluded file it did not name (a Markdown file read at run time by a path
    the analysis did not see) would lose it; review the generated file. ``.git`` is kept
    when a ``RUN`` calls git (``git describe`` for a version), directly or in a Makefile or
    shell script of the context that it runs, and when the program reads the VCS stamp
    ``go build`` records from it (``debug.ReadBuildInfo``'s ``vcs.revision``).

    Not applied when the Dockerfile's folder is probably not the build context (none of the
    files it copies is there, as with ``docker build -f build/Dockerfile .``): a
    ``.dockerignore`` belongs at the root of the context, which the tool cannot know. When
    the Dockerfile comes from standard input without a file name, the build context is
    unknown and the rule says nothing (there is no place to create the file, and no way
    to tell whether one exists).

    ## Example
    A Go project with ``go.mod``, ``main.go`` and ``README.md`` and no ``.dockerignore``
    gets one that starts
    ```text
    # Version control: the repository history is not needed to build and can be large.
    .git
    ```
    """

    code = "DFX007"
    name = "missing-dockerignore"
    summary = "No .dockerignore next to a Go Dockerfile; create one"

    VALID = (
        Valid(
            "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n",
            path="Dockerfile",
            files=((".dockerignore", ".git\n"), ("go.mod", _GO_MOD), ("main.go", _MAIN_GO)),
        ),
        Valid("FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n"),  # context unknown
        Valid(
            "FROM node:22\nCOPY . .\nRUN npm ci\n",
            path="Dockerfile",
            files=(("package.json", "{}\n"),),
        ),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n",
            expected="FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n",
            files=(("go.mod", _GO_MOD), ("main.go", _MAIN_GO), ("README.md", "# hello\n")),
        ),
        Invalid(
            "FROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\n",
            expected=None,
            files=(("README.md", "# docs only\n"),),
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Ask for a ``.dockerignore`` when the build context has none (the tree is unchanged)."""
        if ctx.path is None or not tree.instructions or not gofacts.builds_go(tree):
            return tree
        first = tree.instructions[0]
        if ctx.suppressed(first):
            return tree
        context = ctx.build_context
        if context is None:
            return tree
        directory = context.directory
        if dockerignore.ignore_file_for(ctx.path, directory) is not None:
            return tree
        sources = context_sources(tree)
        elsewhere = _context_elsewhere(context, sources)
        if elsewhere is not None:
            ctx.report(
                first,
                "no .dockerignore next to the Dockerfile",
                fixed=False,
                reason=(
                    f"the Dockerfile's folder is probably not its build context ({elsewhere}); "
                    "create a .dockerignore at the root of the build context by hand, "
                    "excluding .git, *.md and local configuration"
                ),
            )
            return tree
        from dockerfix.facts.vcs import git_reason

        keep_git = git_reason(tree, context)
        text = dockerignore.build_dockerignore(context, sources, keep_git=keep_git)
        others = ctx.options.shared_with
        if not others:
            ctx.create_file(".dockerignore", text)
            ctx.report(
                first,
                "no .dockerignore in the build context; adding .dockerignore (keeps .git, "
                "Markdown, local configuration and build outputs out of the context)",
                fixed=True,
            )
            return tree
        # a .dockerignore at the root would also change the builds of the other
        # Dockerfiles: a Dockerfile-specific one changes this build alone
        name = dockerignore.specific_name(ctx.path)
        beside = os.path.relpath(os.path.dirname(os.path.abspath(ctx.path)), directory)
        relative = name if beside == "." else posixpath.join(beside.replace(os.sep, "/"), name)
        shared = ", ".join(os.path.relpath(p, directory) for p in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        if beside.startswith(".."):
            ctx.report(
                first,
                "no .dockerignore in the build context",
                fixed=False,
                reason=(
                    f"the context is shared with {shared}{more}, so a .dockerignore at its "
                    f"root would change their builds too, and the Dockerfile is outside the "
                    f"context; create {name} beside it by hand"
                ),
            )
            return tree
        ctx.create_file(relative, text)
        ctx.report(
            first,
            f"no .dockerignore in the build context; adding {name} beside the Dockerfile "
            f"(the context is shared with {shared}{more}: a .dockerignore at its root would "
            "change their builds too)",
            fixed=True,
        )
        return tree
