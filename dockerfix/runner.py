"""Running the fixer over files: plan, fix (in parallel when it pays), write.

Workers only compute: each returns an ``Outcome`` (old text, new text,
diagnostics, files to create, or an error) and prints nothing. The parent
collects the outcomes in sorted path order, writes files in ``--write`` mode
and hands everything to the report — so output is deterministic whatever the
parallelism, and an error in one file never stops the others.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from collections.abc import Callable, Iterable, Sequence

from dockerfix import files
from dockerfix.config import Config, ConfigError, ConfigFinder
from dockerfix.errors import ParseError
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from dockerfix.contexts.locate import ContextChoice
    from dockerfix.discovery import Discovery, Found
    from dockerfix.fixer.base import Diagnostic, FixOptions

#: Below this many files a process pool costs more than it saves.
POOL_MIN_FILES = 16


class Mode(enum.Enum):
    """What the run does with the fixed text (one value, as in black's ``WriteBack``)."""

    REPORT = "report"  # list findings; exit 1 when something would change
    CHECK = "check"  # list files that would change; exit 1 when any would
    DIFF = "diff"  # print a unified diff; exit 1 when not empty
    WRITE = "write"  # write the files; exit 0
    STDIN = "stdin"  # fixed text to stdout; exit 0

    @classmethod
    def from_flags(cls, *, check: bool, diff: bool, write: bool, stdin: bool) -> Mode:
        """The mode the command-line flags ask for (``--diff`` wins over ``--check``)."""
        if diff:
            return cls.DIFF
        if check:
            return cls.CHECK
        if stdin:
            return cls.STDIN
        if write:
            return cls.WRITE
        return cls.REPORT

    @property
    def applies(self) -> bool:
        """True when the fixed text is the product (written or printed)."""
        return self in (Mode.WRITE, Mode.STDIN)


class ErrorInfo(Record):
    """Why a file could not be processed; ``line``/``column`` are 0 when unknown."""

    message: str
    line: int = 0
    column: int = 0
    kind: str = "error"  # error | parse-error | internal-error | config-error
    detail: str | None = None  # a traceback, shown with --verbose

    def located(self, path: str) -> str:
        """``PATH:LINE:COL: message`` (``PATH: message`` without a position)."""
        if self.line:
            return f"{path}:{self.line}:{self.column}: {self.message}"
        return f"{path}: {self.message}"


def _shared_strings(d: Diagnostic) -> Diagnostic:
    """``d`` with its texts shared with equal texts of other files (``sys.intern``).

    A bulk run keeps every file's diagnostics for its report; across a repository their
    codes, names, messages and reasons are mostly the same few texts, and each came from a
    worker as a copy of its own.
    """
    intern = sys.intern
    reason = None if d.reason is None else intern(d.reason)
    return d._replace(
        code=intern(d.code),
        name=intern(d.name),
        message=intern(d.message),
        reason=reason,
        caveats=tuple(intern(c) for c in d.caveats),
    )


class Outcome:
    """What happened to one file."""

    __slots__ = (
        "_changed",
        "context",
        "created",
        "diagnostics",
        "digest",
        "error",
        "new",
        "old",
        "path",
        "released",
        "to_create",
        "written",
    )

    def __init__(
        self,
        path: str,
        old: str | None = None,
        new: str | None = None,
        diagnostics: list[Diagnostic] | None = None,
        to_create: dict[str, str] | None = None,
        error: ErrorInfo | None = None,
        digest: str | None = None,
        written: bool = False,
        created: list[str] | None = None,
        released: bool = False,
        _changed: bool = False,
        context: ContextChoice | None = None,
    ) -> None:
        self.path = path
        self.old = old
        self.new = new
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        # display path -> content
        self.to_create: dict[str, str] = {} if to_create is None else to_create
        self.error = error
        self.digest = digest
        self.written = written
        # display paths actually created
        self.created: list[str] = [] if created is None else created
        self.released = released  # the texts were dropped once written or printed (``release``)
        self._changed = _changed  # ``changed`` as it was when the texts were dropped
        self.context = context  # the build context the fixer used, and where it came from

    @property
    def changed(self) -> bool:
        """True when the fixed text differs from the file's."""
        if self.released:
            return self.error is None and self._changed
        return self.error is None and self.old is not None and self.new != self.old

    def release(self) -> None:
        """Drop the texts once written or printed (a bulk run keeps only what the report
        needs): the old and new Dockerfile, and the content of the files to create."""
        if not self.released:
            self._changed = self.changed
            self.released = True
            self.old = self.new = None
            self.to_create = dict.fromkeys(self.to_create, "")
            self.diagnostics = [_shared_strings(d) for d in self.diagnostics]

    @property
    def would_change(self) -> bool:
        """True when the file would be rewritten or a file created next to it."""
        return self.changed or (self.error is None and bool(self.to_create))

    @property
    def status(self) -> str:
        """``error``, ``changed`` or ``unchanged``."""
        if self.error is not None:
            return "error"
        return "changed" if self.would_change else "unchanged"

    @property
    def rules_applied(self) -> list[str]:
        """Codes of the rules whose fixes are in the new text."""
        from dockerfix.fixer.base import rules_applied

        return rules_applied(self.diagnostics)

    @property
    def rules_skipped(self) -> dict[str, list[str]]:
        """Rule code -> the reasons it gave for not fixing something."""
        from dockerfix.fixer.base import rules_skipped

        return rules_skipped(self.diagnostics)


class Task(Record):
    """One file for a worker: where it is, its options, and its text when already read."""

    path: str
    options: FixOptions
    text: str | None = None
    context: str | None = None  # --context
    contexts: tuple[tuple[str, str], ...] = ()  # the settings' table, relative to its file
    config_path: str | None = None


class Plan:
    """The tasks of a run and the outcomes decided before any fixing (errors)."""

    __slots__ = ("early", "skipped", "tasks")

    def __init__(
        self,
        tasks: list[Task] | None = None,
        early: list[Outcome] | None = None,
        skipped: list[tuple[str, str]] | None = None,
    ) -> None:
        self.tasks: list[Task] = [] if tasks is None else tasks
        self.early: list[Outcome] = [] if early is None else early
        self.skipped: list[tuple[str, str]] = [] if skipped is None else skipped


class Overrides(Record):
    """Settings from the command line (None: not given, the configuration decides)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    runtime_image: str | None = None
    config: str | None = None
    context: str | None = None  # --context DIR


def check_rule_names(names: Iterable[str]) -> str | None:
    """The first name that matches no rule, or None when all are known."""
    from dockerfix.fixer.registry import resolve

    for name in names:
        try:
            resolve({name})
        except KeyError:
            return name
    return None


class OptionsCache:
    """``FixOptions`` for each configuration, rule names resolved once."""

    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self.finder = ConfigFinder(overrides.config)
        self._options: dict[Config, FixOptions] = {}

    def config_for(self, path: str) -> Config:
        """The effective configuration for ``path`` (file settings, command line on top)."""
        o = self.overrides
        return self.finder.for_file(path).overridden(
            select=o.select, ignore=o.ignore, runtime_image=o.runtime_image
        )

    def options_for(self, config: Config) -> FixOptions:
        """The fixer options of ``config``; ``ConfigError`` for an unknown rule name."""
        if config not in self._options:
            from dockerfix.fixer.api import make_options

            try:
                self._options[config] = make_options(
                    runtime_image=config.runtime_image,
                    select=config.select,
                    ignore=config.ignore,
                )
            except KeyError as exc:
                where = config.path or "the command line"
                raise ConfigError(
                    where, f"unknown rule {exc.args[0]!r} (see dockerfix --list-rules)"
                ) from None
        return self._options[config]


def _excluded(config: Config, path: str) -> bool:
    if not config.exclude or config.directory is None:
        return False
    relative = os.path.relpath(os.path.abspath(path), config.directory).replace(os.sep, "/")
    if relative.startswith("../"):
        return False
    return bool(_exclude_spec(config.exclude).match_file(relative))


@functools.lru_cache(maxsize=64)
def _exclude_spec(patterns: tuple[str, ...]) -> Any:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(patterns)


def plan(discovery: Discovery, cache: OptionsCache) -> Plan:
    """Tasks for the discovered files; path and configuration errors become outcomes."""
    out = Plan(skipped=list(discovery.skipped))
    for path, message in discovery.errors:
        out.early.append(Outcome(path, error=ErrorInfo(message)))
    for found in discovery.files:
        task = _task_for(found, cache, out)
        if task is not None:
            out.tasks.append(task)
    return out


def _task_for(found: Found, cache: OptionsCache, out: Plan) -> Task | None:
    try:
        config = cache.config_for(found.path)
        if not found.explicit and _excluded(config, found.path):
            out.skipped.append((found.path, f"excluded by {config.path}"))
            return None
        options = cache.options_for(config)
    except ConfigError as exc:
        out.early.append(Outcome(found.path, error=ErrorInfo(str(exc), kind="config-error")))
        return None
    return Task(
        found.path,
        options,
        context=cache.overrides.context,
        contexts=config.contexts,
        config_path=config.path,
    )


def process(task: Task) -> Outcome:
    """Read, decode and fix one file. Never raises: failures become the outcome's error.

    Files over ``files.MAX_BYTES`` are refused (an error naming the size and the limit).
    """
    outcome = Outcome(task.path)
    try:
        if task.text is None:
            source = files.read_source(task.path)
            text, outcome.digest = source.text, source.digest
        else:
            text = task.text
        outcome.old = text
        _fix_into(outcome, text, task)
    except files.FileError as exc:
        outcome.error = ErrorInfo(exc.message, exc.line, exc.column)
    except ParseError as exc:
        outcome.error = ErrorInfo(exc.message, exc.line, exc.column, kind="parse-error")
    except Exception as exc:  # a bug in dockerfix: report it, keep going with other files
        import traceback

        outcome.error = ErrorInfo(
            f"internal error: {type(exc).__name__}: {exc} (the file was left unchanged; "
            "please report this)",
            kind="internal-error",
            detail=traceback.format_exc(),
        )
    if outcome.error is not None:
        outcome.new = outcome.old
        outcome.to_create = {}
    return outcome


def _fix_into(outcome: Outcome, text: str, task: Task) -> None:
    from dockerfix.fixer.api import fix_tree
    from dockerfix.grammar.parser import parse

    tree = parse(text)
    options = task.options
    if task.path or task.context:
        from dockerfix.contexts.locate import locate
        from dockerfix.facts.sources import context_sources

        outcome.context = locate(
            task.path or "Dockerfile",
            context_sources(tree),
            explicit=task.context,
            table=task.contexts,
            table_dir=os.path.dirname(task.config_path) if task.config_path else None,
            table_source=task.config_path,
        )
        options = options._replace(
            context=outcome.context.directory,
            context_unknown=outcome.context.several,
            shared_with=_sharing(task.path, outcome.context.directory),
        )
    result = fix_tree(tree, text, task.path or None, options)
    if result.internal_error is not None:
        outcome.error = ErrorInfo(
            f"internal error: {result.internal_error} (the file was left unchanged; "
            "please report this)",
            kind="internal-error",
        )
        return
    outcome.new = files.keep_habits(text, result.text)
    outcome.diagnostics = list(result.diagnostics)
    if outcome.context is not None and outcome.context.guessed:
        # no declaration says where the build runs: the fixes rest on a guess, said so
        guess = (
            f"the build context {outcome.context.directory} is a guess (no compose, bake, CI "
            "or script declares one): if the build uses another, give it with --context or "
            "the settings' contexts table"
        )
        outcome.diagnostics = [
            d._replace(caveats=(*d.caveats, guess)) if d.fixed else d for d in outcome.diagnostics
        ]
    folder = options.context if options.context is not None else os.path.dirname(task.path)
    for relative, content in sorted(result.created_files.items()):
        if not files.safe_relative(relative):
            continue
        target = os.path.normpath(os.path.join(folder, *relative.split("/")))
        if not os.path.lexists(target):
            outcome.to_create[target] = content


def _sharing(path: str, context: str) -> tuple[str, ...]:
    """The other Dockerfiles built with ``context``: declared with it, or beside ``path``
    when it is the Dockerfile's own folder (``docker build -f Dockerfile.dev .`` takes it
    too). Only when the build reads no ignore file: the one case a rule asks (DFX007, to
    choose where a new one goes)."""
    from dockerfix.facts.dockerignore import ignore_file_for

    if not path or ignore_file_for(path, context) is not None:
        return ()
    from dockerfix.contexts.locate import sharing

    found = set(sharing(path, context))
    here = os.path.realpath(path)
    root = os.path.realpath(context)
    if os.path.dirname(here) == root:
        try:
            names = os.listdir(root)
        except OSError:
            names = []
        found.update(
            os.path.join(root, n)
            for n in names
            if files.is_dockerfile_name(n) and os.path.isfile(os.path.join(root, n))
        )
    found.discard(here)
    return tuple(sorted(found))


def run(
    tasks: Sequence[Task],
    *,
    jobs: int,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process ``tasks`` (in a process pool when there are many), outcomes in task order."""
    results: list[Outcome] = []

    def collect(outcome: Outcome) -> None:
        files.check_interrupted()
        results.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    remaining = list(tasks)
    if jobs > 1 and len(remaining) >= POOL_MIN_FILES:
        remaining = _run_pool(remaining, jobs, collect)
    for task in remaining:
        collect(process(task))
    return results


def warm_up() -> None:
    """Import the fixer and load the grammar tables (before forking workers, which inherit them)."""
    from dockerfix import parse
    from dockerfix.fixer import api, pipeline  # noqa: F401

    parse("FROM scratch\n")


def _run_pool(tasks: list[Task], jobs: int, collect: Callable[[Outcome], None]) -> list[Task]:
    """Process ``tasks`` in a pool; the tasks left undone if the pool could not run.

    Workers ignore Ctrl-C: the parent stops, cancels what has not started and
    waits only for the files being fixed.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(tasks), 61)
    warm_up()
    from dockerfix.contexts.locate import read_declarations

    read_declarations([t.path for t in tasks if t.path and t.context is None])
    try:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    except (OSError, NotImplementedError, ImportError):
        return tasks  # no usable process pool here: finish in this process
    files.check_interrupted()  # a signal while the workers were forked
    done = 0
    try:
        chunk = max(1, min(8, len(tasks) // (workers * 4)))
        for outcome in pool.map(process, tasks, chunksize=chunk):
            collect(outcome)
            done += 1
    except (OSError, BrokenProcessPool):
        pass  # the pool broke down: finish in this process
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return tasks[done:]


def _worker_init() -> None:
    """Workers only compute: Ctrl-C is the parent's business, SIGTERM simply ends them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def default_jobs() -> int:
    """Workers to use when ``--jobs`` is not given: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def apply(outcome: Outcome) -> None:
    """Write ``outcome`` to disk: the fixed file, then the files to create."""
    if outcome.error is not None:
        return
    try:
        if outcome.changed:
            assert outcome.new is not None
            outcome.written = files.write_atomic(outcome.path, outcome.new, outcome.digest)
        for target, content in outcome.to_create.items():
            if files.create_new(target, content):
                outcome.created.append(target)
    except files.FileError as exc:
        outcome.error = ErrorInfo(exc.message, exc.line, exc.column)


def claim(outcome: Outcome, claimed: set[str]) -> None:
    """Drop from ``outcome.to_create`` the files an earlier outcome (in ``claimed``) creates.

    Two Dockerfiles in one folder both ask for its ``.dockerignore``: the first
    in path order creates it, so a diff never creates the same file twice.
    """
    for target in list(outcome.to_create):
        key = os.path.realpath(target)
        if key in claimed:
            del outcome.to_create[target]
        claimed.add(key)


def sorted_outcomes(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """``outcomes`` in path order, each file to create claimed by the first that asks for it."""
    from dockerfix.discovery import sort_key

    ordered = sorted(outcomes, key=lambda o: sort_key(o.path))
    claimed: set[str] = set()
    for outcome in ordered:
        claim(outcome, claimed)
    return ordered


def stdin_outcome(data: bytes, path: str | None, cache: OptionsCache) -> Outcome:
    """The outcome of fixing text read from stdin (``path`` from ``--stdin-filename``)."""
    label = path or "-"
    if len(data) > files.MAX_BYTES:
        error = files.too_large(None, files.MAX_BYTES)
        return Outcome(label, error=ErrorInfo(error.message))
    try:
        text = files.decode(data)
    except files.FileError as exc:
        return Outcome(label, error=ErrorInfo(exc.message, exc.line, exc.column))
    try:
        options = cache.options_for(cache.config_for(path or "-"))
    except ConfigError as exc:
        return Outcome(label, old=text, error=ErrorInfo(str(exc), kind="config-error"))
    config = cache.config_for(path or "-")
    task = Task(
        path or "",
        options,
        text=text,
        context=cache.overrides.context,
        contexts=config.contexts,
        config_path=config.path,
    )
    outcome = process(task)
    outcome.path = label
    return outcome


def describe_error(outcome: Outcome) -> dict[str, Any]:
    """The error of ``outcome`` as a plain dict (for machine formats)."""
    assert outcome.error is not None
    return {
        "kind": outcome.error.kind,
        "message": outcome.error.message,
        "line": outcome.error.line or None,
        "column": outcome.error.column or None,
    }
