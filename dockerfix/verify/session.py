"""One verify run over many Dockerfiles: fix, build both, run both, judge, clean up.

The original is built from its own build context; the fixed one from a copy of that
context (hard links where the file system allows, so a large context costs little) that
holds the fixed Dockerfile at the same place and the files the fixer creates (the new
``.dockerignore``). Nothing in the user's folder is changed. Every image is removed once
its file is judged, and :meth:`Session.close` removes whatever an interruption left.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable

from dockerfix.record import Record
from dockerfix.verify import compare
from dockerfix.verify.compare import Side, Verdict
from dockerfix.verify.engines import BuildOptions, Engine, RunOptions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.runner import Outcome


class FileVerdict(Record):
    """The verdict on one Dockerfile, with everything measured on the way."""

    path: str
    context: str
    status: str
    why: str
    before: Side
    after: Side
    rules_applied: tuple[str, ...]
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON."""
        return {
            "path": self.path,
            "context": self.context,
            "status": self.status,
            "why": self.why,
            "rules_applied": list(self.rules_applied),
            "seconds": round(self.seconds, 3),
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
        }


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def copy_context(context: str, destination: str) -> None:
    """``context`` copied to ``destination``: hard links where possible, links kept as links."""
    shutil.copytree(context, destination, symlinks=True, copy_function=_link_or_copy)


def _replace_file(path: str, content: str) -> None:
    """Write ``path`` anew (never through a hard link shared with the user's file)."""
    if os.path.lexists(path):
        os.unlink(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(content)


class Session:
    """Verifies the outcomes of one run with one engine; a context manager that cleans up."""

    def __init__(
        self,
        engine: Engine,
        build: BuildOptions,
        run: RunOptions,
        *,
        context: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.build_options = build
        self.run_options = run
        self.context = context
        self.progress = progress or (lambda _message: None)
        self._scratch = tempfile.mkdtemp(prefix="dockerfix-verify-")

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove what the engine still holds of this run, and the context copies."""
        self.engine.cleanup()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def context_of(self, outcome: Outcome) -> str:
        """The build context: ``--context``, else the one the fixer used (``contexts``)."""
        if self.context is not None:
            return os.path.abspath(self.context)
        if outcome.context is not None:
            return os.path.abspath(outcome.context.directory)
        return os.path.dirname(os.path.abspath(outcome.path))

    def verify(self, outcome: Outcome, http_paths: tuple[str, ...] | None = None) -> FileVerdict:
        """Build, run and judge the original and the fixed version of ``outcome``'s file."""
        assert outcome.old is not None
        assert outcome.new is not None
        start = time.monotonic()
        path = outcome.path
        context = self.context_of(outcome)
        run = self.run_options
        run = run._replace(paths=run.paths or http_paths or ("/",))
        before = self._side(path, context, os.path.abspath(path), "before", run)
        after = Side()
        if before.build is not None and before.build.ok:
            fixed_context, fixed_dockerfile = self._fixed_copy(outcome, context)
            try:
                if before.image is not None and not run.ports:
                    run = run._replace(ports=before.image.exposed_tcp)
                after = self._side(path, fixed_context, fixed_dockerfile, "after", run)
            finally:
                shutil.rmtree(os.path.dirname(fixed_context), ignore_errors=True)
        verdict: Verdict = compare.judge(before, after)
        return FileVerdict(
            path,
            context,
            verdict.status,
            verdict.why,
            before,
            after,
            tuple(outcome.rules_applied),
            time.monotonic() - start,
        )

    def _side(self, path: str, context: str, dockerfile: str, kind: str, run: RunOptions) -> Side:
        """Build one image, inspect it, run it (the run's ports: those of the original)."""
        tag = self.engine.tag(kind)
        self.progress(f"{path}: building the {'original' if kind == 'before' else 'fixed'} image")
        build = self.engine.build(context, dockerfile, tag, self.build_options)
        if not build.ok:
            return Side(build=build)
        try:
            image = self.engine.inspect(tag)
            if image is None:
                return Side(build=build)
            if kind == "before" and not run.ports:
                run = run._replace(ports=image.exposed_tcp)
            self.progress(
                f"{path}: running the {'original' if kind == 'before' else 'fixed'} image"
            )
            result = self.engine.run(tag, image, run._replace(repeat=kind == "before"))
            return Side(build=build, image=image, run=result)
        finally:
            self.engine.remove_image(tag)

    def _fixed_copy(self, outcome: Outcome, context: str) -> tuple[str, str]:
        """A copy of ``context`` with the fixed Dockerfile and the created files in it."""
        assert outcome.new is not None
        base = tempfile.mkdtemp(dir=self._scratch)
        copy = os.path.join(base, "context")
        copy_context(context, copy)
        dockerfile = os.path.abspath(outcome.path)
        relative = os.path.relpath(dockerfile, context)
        inside = not relative.startswith(os.pardir + os.sep) and relative != os.pardir
        target = os.path.join(copy, relative) if inside else os.path.join(base, "Dockerfile")
        _replace_file(target, outcome.new)
        for created, content in outcome.to_create.items():
            rel = os.path.relpath(os.path.abspath(created), context)
            if rel.startswith(os.pardir):
                continue  # outside the context: the build never reads it
            _replace_file(os.path.join(copy, rel), content)
        return copy, target
