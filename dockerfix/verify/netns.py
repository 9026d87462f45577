"""Run a container command inside a fresh network namespace and observe it from there.

``python -m dockerfix.verify.netns`` is started by the buildah engine under
``unshare --net``: the namespace has only a loopback interface, so the container can reach
nothing and nothing can reach it, and its ports are probed on 127.0.0.1 from inside. The
spec comes as JSON on stdin (``command``, ``ports``, ``paths``, ``timeout``, ``repeat``);
the :class:`~dockerfix.verify.compare.RunResult` goes out as JSON on stdout. With
``probe_only`` it runs nothing and only probes: the docker and podman engines start it with
``nsenter --net`` in a container's own network when its ports could not be published.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import IO

from dockerfix.verify import probe
from dockerfix.verify.compare import RunResult, run_twice, still_running

MAX_OUTPUT = 64 * 1024


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the command and everything it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


def _read(handle: IO[bytes]) -> bytes:
    handle.flush()
    handle.seek(0)
    return handle.read()[-MAX_OUTPUT:]


def run_once(command: list[str], timeout: float) -> RunResult:
    """Run ``command`` to its end (or the time limit); its exit status and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        uid = None
        deadline = start + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            child = probe.container_process(proc.pid)
            seen = probe.uid_of(child) if child else None
            uid = seen if seen is not None else uid
            time.sleep(0.01)
        timed_out = proc.poll() is None
        _stop(proc)
        return RunResult(
            True, time.monotonic() - start, None if timed_out else proc.returncode,
            _read(out), _read(err), uid=uid, uid_source="process" if uid is not None else None,
            error=still_running(timeout) if timed_out else None,
        )  # fmt: skip


def serve(
    command: list[str], ports: list[int], paths: list[str], timeout: float, repeat: bool
) -> RunResult:
    """Start ``command``, wait for every port, GET the paths, read the uid, stop it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        try:
            deadline = start + timeout

            def alive() -> bool:
                return proc.poll() is None

            served, answers, deterministic = probe.observe(
                ports, paths, deadline, repeat=repeat, alive=alive
            )
            seconds = time.monotonic() - start
            child = probe.container_process(proc.pid)
            uid = probe.uid_of(child) if child else None
            exit_code = proc.poll()
        finally:
            _stop(proc)
        return RunResult(
            served or exit_code is not None,
            seconds,
            None if served else exit_code,
            _read(out),
            _read(err),
            served=served,
            ports=tuple(ports),
            answers=tuple(answers),
            uid=uid,
            uid_source="process" if uid is not None else None,
            deterministic=deterministic,
        )


def probe_only(ports: list[int], paths: list[str], timeout: float, repeat: bool) -> RunResult:
    """Probe the ports of a container started elsewhere (this process is in its network)."""
    start = time.monotonic()
    served, answers, same = probe.observe(ports, paths, start + timeout, repeat=repeat)
    return RunResult(
        served, time.monotonic() - start, served=served, ports=tuple(ports),
        answers=tuple(answers), deterministic=same,
    )  # fmt: skip


def result_to_json(result: RunResult) -> bytes:
    """The result as JSON (bytes fields in base64)."""
    data = result.as_dict()
    data["stdout"] = base64.b64encode(result.stdout).decode()
    data["stderr"] = base64.b64encode(result.stderr).decode()
    data["answers"] = [
        {**a.as_dict(), "body": base64.b64encode(a.body).decode()} for a in result.answers
    ]
    return json.dumps(data).encode()


def result_from_json(payload: bytes) -> RunResult:
    """The inverse of :func:`result_to_json`."""
    data = json.loads(payload)
    answers = tuple(
        probe.HttpAnswer(a["path"], a["status"], base64.b64decode(a["body"]), a["error"])
        for a in data["answers"]
    )
    return RunResult(
        data["started"],
        data["seconds"],
        data["exit_code"],
        base64.b64decode(data["stdout"]),
        base64.b64decode(data["stderr"]),
        served=data["served"],
        ports=tuple(data["ports"]),
        answers=answers,
        uid=data["uid"],
        uid_source=data["uid_source"],
        deterministic=data["deterministic"],
        error=data["error"],
    )


def main() -> int:
    """Read the spec, run it, print the result."""
    spec = json.loads(sys.stdin.buffer.read())
    timeout = float(spec["timeout"])
    if spec.get("probe_only"):  # joined a running container's network (nsenter)
        result = probe_only(spec["ports"], spec["paths"], timeout, bool(spec["repeat"]))
        sys.stdout.buffer.write(result_to_json(result))
        return 0
    probe.loopback_up()
    command = [str(w) for w in spec["command"]]
    if spec["ports"]:
        result = serve(command, spec["ports"], spec["paths"], timeout, bool(spec["repeat"]))
    else:
        result = run_twice(lambda: run_once(command, timeout), bool(spec["repeat"]))
    sys.stdout.buffer.write(result_to_json(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
