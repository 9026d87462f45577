"""What was measured of one image, and the verdict on an original and its fixed version.

The verdict, for a pair built from the same context:

* **UNVERIFIABLE** when the original itself does not build, or does not start (nothing to
  compare a fixed image with);
* **REGRESSION** when the fixed image does not build, does not start, or behaves otherwise:
  another exit status or output of a one-shot run, a port the original opened and the fixed
  image does not, another HTTP status or body for a path;
* **VERIFIED** otherwise. The user the process runs as and the image size may change (that
  is what some rules are for): they are reported, never a regression.

Output and bodies are compared only where the original gives the same twice: a program that
prints the time or its host name cannot be compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable

from dockerfix.record import Record
from dockerfix.verify.probe import HttpAnswer

VERIFIED = "VERIFIED"
REGRESSION = "REGRESSION"
UNVERIFIABLE = "UNVERIFIABLE"


class BuildResult(Record):
    """One build: did it work, how long it took, the end of its log."""

    ok: bool
    seconds: float
    log: str = ""

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON."""
        return {"ok": self.ok, "seconds": round(self.seconds, 3), "log": self.log[-4000:]}


class ImageInfo(Record):
    """What the engine says of a built image."""

    size: int | None
    user: str
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    workdir: str
    exposed_tcp: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON."""
        return {
            "size": self.size,
            "user": self.user,
            "entrypoint": list(self.entrypoint),
            "cmd": list(self.cmd),
            "workdir": self.workdir,
            "exposed_tcp": list(self.exposed_tcp),
        }


class RunResult(Record):
    """One run of an image: started or not, its exit, output, ports, answers and uid.

    ``started`` is False when the program could not be executed at all (the engine's
    error, ``exec format error``, a missing binary or interpreter: exit 126/127) or, for
    a server, neither opened its port nor ended in time. ``served`` is True when every
    probed port accepted a connection. ``uid_source`` says whether the uid was read from
    the running process (``process``) or from the image's configuration (``config``).
    """

    started: bool
    seconds: float
    exit_code: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    served: bool = False
    ports: tuple[int, ...] = ()
    answers: tuple[HttpAnswer, ...] = ()
    uid: int | None = None
    uid_source: str | None = None
    deterministic: bool = True
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON (outputs shortened and decoded)."""
        return {
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
            "stdout": _text(self.stdout),
            "stderr": _text(self.stderr),
            "served": self.served,
            "ports": list(self.ports),
            "answers": [a.as_dict() for a in self.answers],
            "uid": self.uid,
            "uid_source": self.uid_source,
            "deterministic": self.deterministic,
            "error": self.error,
        }

    def why_not_started(self) -> str:
        """A short explanation of a run that did not start."""
        if self.error:
            return self.error
        tail = _tail(self.stderr) or _tail(self.stdout)
        if self.ports and self.exit_code is None:
            shown = ", ".join(str(p) for p in self.ports)
            return f"no connection on port {shown} within {self.seconds:.0f} s" + (
                f" ({tail})" if tail else ""
            )
        return f"exit status {self.exit_code}" + (f": {tail}" if tail else "")


def still_running(timeout: float) -> str:
    """The error of a one-shot run that had not ended at its time limit."""
    return f"still running after {timeout:.0f} s (a server without an EXPOSEd port? use --port)"


def run_twice(run: Callable[[], RunResult], repeat: bool) -> RunResult:
    """``run()``; with ``repeat``, once more when it ended, to learn whether its exit status
    and output are the same each time (``deterministic``)."""
    first = run()
    if not repeat or not first.started or first.exit_code is None:
        return first
    second = run()
    same = (second.exit_code, second.stdout, second.stderr) == (
        first.exit_code, first.stdout, first.stderr
    )  # fmt: skip
    return first._replace(deterministic=same)


class Side(Record):
    """Everything measured of one image of the pair (None: that step was not reached)."""

    build: BuildResult | None = None
    image: ImageInfo | None = None
    run: RunResult | None = None

    def as_dict(self) -> dict[str, object]:
        """A plain dict for JSON."""
        return {
            "build": self.build.as_dict() if self.build else None,
            "image": self.image.as_dict() if self.image else None,
            "run": self.run.as_dict() if self.run else None,
        }


class Verdict(Record):
    """The status of a pair and why."""

    status: str
    why: str


def _text(data: bytes) -> str:
    return data[:4000].decode("utf-8", errors="replace")


def _tail(data: bytes, limit: int = 300) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    return last[-limit:]


def build_failure(build: BuildResult) -> str:
    """The last meaningful line of a failed build's log."""
    lines = [ln.strip() for ln in build.log.splitlines() if ln.strip()]
    for line in reversed(lines):
        if "error" in line.lower():
            return line[-300:]
    return lines[-1][-300:] if lines else "no log"


def judge(before: Side, after: Side) -> Verdict:
    """The verdict on an original (``before``) and its fixed version (``after``)."""
    if before.build is None or not before.build.ok:
        why = build_failure(before.build) if before.build else "not built"
        return Verdict(UNVERIFIABLE, f"the original does not build: {why}")
    if after.build is None or not after.build.ok:
        why = build_failure(after.build) if after.build else "not built"
        return Verdict(REGRESSION, f"the fixed Dockerfile does not build: {why}")
    if before.run is None or not before.run.started:
        why = before.run.why_not_started() if before.run else "not run"
        return Verdict(UNVERIFIABLE, f"the original does not start: {why}")
    if after.run is None or not after.run.started:
        why = after.run.why_not_started() if after.run else "not run"
        return Verdict(REGRESSION, f"the fixed image does not start: {why}")
    old, new = before.run, after.run
    if old.served:
        if not new.served:
            return Verdict(REGRESSION, f"the fixed image does not serve: {new.why_not_started()}")
        return _compare_answers(old, new)
    return _compare_exits(old, new, _program(before), _program(after))


def _program(side: Side) -> str | None:
    """The path of the program the image runs (what a usage message prints as ``$0``)."""
    image = side.image
    if image is None:
        return None
    words = image.entrypoint or image.cmd
    return words[0] if words and len(words[0]) > 1 else None


def _without_programs(data: bytes, programs: list[str]) -> bytes:
    """``data`` with each program path (longest first) written ``$0``."""
    for program in programs:
        data = data.replace(program.encode(), b"$0")
    return data


def _compare_answers(old: RunResult, new: RunResult) -> Verdict:
    fresh = {(a.path): a for a in new.answers}
    for answer in old.answers:
        other = fresh.get(answer.path)
        if other is None:
            continue
        if other.status != answer.status:
            return Verdict(
                REGRESSION,
                f"GET {answer.path}: HTTP {_status(answer)} before, {_status(other)} after",
            )
        if old.deterministic and other.body != answer.body:
            return Verdict(REGRESSION, f"GET {answer.path}: another body after the fix")
    paths = ", ".join(a.path for a in old.answers) or "no path"
    ports = ", ".join(str(p) for p in old.ports)
    same = "same statuses and bodies" if old.deterministic else "same statuses"
    return Verdict(VERIFIED, f"port {ports} served; GET {paths}: {same}")


def _status(answer: HttpAnswer) -> str:
    return str(answer.status) if answer.status else f"no answer ({answer.error})"


def _compare_exits(
    old: RunResult, new: RunResult, old_program: str | None, new_program: str | None
) -> Verdict:
    if old.exit_code is None and new.exit_code is None:
        # both still running at the time limit: both started; there is no port to probe
        return Verdict(VERIFIED, f"both still running after {old.seconds:.0f} s (no port to probe)")
    if old.exit_code != new.exit_code:
        tail = _tail(new.stderr) or _tail(new.stdout)
        return Verdict(
            REGRESSION,
            f"exit status {old.exit_code} before, {new.exit_code} after"
            + (f": {tail}" if tail else ""),
        )
    # the split may move the binary (/app/main -> /main): a usage message names it
    programs = sorted({p for p in (old_program, new_program) if p}, key=len, reverse=True)
    before = [_without_programs(d, programs) for d in (old.stdout, old.stderr)]
    after = [_without_programs(d, programs) for d in (new.stdout, new.stderr)]
    if old.deterministic and before != after:
        return Verdict(REGRESSION, "the output differs after the fix")
    same = "same output" if old.deterministic else "output varies from run to run"
    return Verdict(VERIFIED, f"exit status {old.exit_code}, {same}")
