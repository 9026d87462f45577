"""The container engines verify drives: docker, podman and buildah, through their own CLIs.

Each engine builds an image, says what it holds, runs it once and removes it; all of it the
engine's way, with the user's own configuration (``DOCKER_HOST``, ``CONTAINERS_*``).
Everything created is marked: images carry the label ``dockerfix.verify=<run id>``, and
containers the same label (docker, podman) or a name starting ``dockerfix-verify-<run id>``
(buildah), so :meth:`Engine.cleanup` finds them all. Ports are published on 127.0.0.1 only;
buildah, which publishes none, runs the container in a network namespace of its own with
only the loopback interface (``unshare --net``), and the probe runs inside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence

from dockerfix.record import Record
from dockerfix.verify.compare import BuildResult, ImageInfo, RunResult, run_twice, still_running

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.verify import probe

LABEL = "dockerfix.verify"
ENGINE_NAMES = ("docker", "podman", "buildah")


class BuildOptions(Record):
    """How to build: ``--build-arg``s, ``--target``, ``--platform``, ``--pull``, time limit."""

    build_args: tuple[str, ...] = ()
    target: str | None = None
    platform: str | None = None
    pull: bool | None = None  # None: the engine's own default
    timeout: float = 900.0


class RunOptions(Record):
    """How to run: arguments (as after ``docker run IMAGE``), ports, HTTP paths, time limits."""

    args: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    paths: tuple[str, ...] = ()  # none given: the settings' verify.http-paths, else "/"
    timeout: float = 20.0  # a one-shot run's limit, and how long a server may take to listen
    repeat: bool = True  # run (or GET) twice, to know whether the output is deterministic


class EngineError(Exception):
    """The engine cannot be used (missing, no daemon, no storage)."""


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _run(
    argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        list(argv), input=stdin, capture_output=True, timeout=timeout, check=False
    )


def parse_image_config(config: dict[str, object], size: int | None) -> ImageInfo:
    """``ImageInfo`` from an OCI/Docker image configuration's ``config`` object."""

    def words(key: str) -> tuple[str, ...]:
        value = config.get(key)
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    exposed = config.get("ExposedPorts")
    ports: list[int] = []
    if isinstance(exposed, dict):
        for key in exposed:
            number, _, proto = str(key).partition("/")
            if (proto or "tcp") == "tcp" and number.isdigit():
                ports.append(int(number))
    return ImageInfo(
        size=size,
        user=str(config.get("User") or ""),
        entrypoint=words("Entrypoint"),
        cmd=words("Cmd"),
        workdir=str(config.get("WorkingDir") or ""),
        exposed_tcp=tuple(sorted(ports)),
    )


def command_of(image: ImageInfo, args: Sequence[str]) -> list[str]:
    """What a container of ``image`` runs with ``args`` (as ``docker run IMAGE ARGS``)."""
    if args:
        return [*image.entrypoint, *args]
    return [*image.entrypoint, *image.cmd]


def uid_from_passwd(user: str, passwd: bytes | None) -> int | None:
    """The uid that a ``USER`` value names (numeric, or a name found in ``/etc/passwd``)."""
    name = user.partition(":")[0] or "0"
    if name.isdigit():
        return int(name)
    for line in (passwd or b"").decode("utf-8", errors="replace").splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[0] == name and fields[2].isdigit():
            return int(fields[2])
    return None


class Engine:
    """An engine's CLI. Subclasses say how to build, inspect, run and remove."""

    name = "engine"

    def __init__(self, executable: str, run_id: str) -> None:
        self.executable = executable
        self.run_id = run_id

    @classmethod
    def find(cls, run_id: str) -> Engine:
        """The engine when its CLI is installed and works here; ``EngineError`` otherwise."""
        executable = shutil.which(cls.name)
        if executable is None:
            raise EngineError(f"{cls.name} is not installed (not on PATH)")
        engine = cls(executable, run_id)
        engine.check()
        return engine

    def check(self) -> None:
        """Raise ``EngineError`` unless the engine answers."""
        raise NotImplementedError

    def tag(self, kind: str) -> str:
        """A fresh image name for this run (``kind``: before or after)."""
        return f"localhost/dockerfix-verify:{self.run_id}-{kind}-{uuid.uuid4().hex[:8]}"

    def build(self, context: str, dockerfile: str, tag: str, options: BuildOptions) -> BuildResult:
        """Build ``dockerfile`` in ``context`` as ``tag``."""
        argv = [self.executable, *self.build_words(), "-f", dockerfile, "-t", tag]
        argv += ["--label", f"{LABEL}={self.run_id}"]
        for arg in options.build_args:
            argv += ["--build-arg", arg]
        if options.target:
            argv += ["--target", options.target]
        if options.platform:
            argv += ["--platform", options.platform]
        argv += self.pull_words(options.pull)
        argv.append(context)
        start = time.monotonic()
        for attempt in (1, 2):
            try:
                done = _run(argv, timeout=options.timeout)
            except subprocess.TimeoutExpired as exc:
                log = (exc.stderr or b"").decode("utf-8", errors="replace")
                return BuildResult(
                    False,
                    time.monotonic() - start,
                    _tail(log) + f"\nerror: timed out after {options.timeout:.0f} s",
                )
            log = (done.stdout + b"\n" + done.stderr).decode("utf-8", errors="replace")
            self.note_build_log(tag, log)
            if done.returncode == 0 or attempt == 2 or not self.transient_failure(log):
                break
        return BuildResult(done.returncode == 0, time.monotonic() - start, _tail(log))

    def transient_failure(self, log: str) -> bool:
        """True when a failed build's log shows an engine hiccup, not the Dockerfile's fault
        (the build is then tried once more)."""
        return False

    def note_build_log(self, tag: str, log: str) -> None:
        """Learn from a build's whole log (what else it created, to remove it later)."""

    def build_words(self) -> list[str]:
        """The words that start a build (``build``, ``bud --isolation chroot``)."""
        return ["build"]

    def pull_words(self, pull: bool | None) -> list[str]:
        """The words for ``--pull`` (None: none)."""
        if pull is None:
            return []
        return ["--pull=always" if pull else "--pull=never"]

    def inspect(self, tag: str) -> ImageInfo | None:
        """What the image holds, or None when the engine cannot say."""
        raise NotImplementedError

    def read_file(self, tag: str, path: str) -> bytes | None:
        """A file of the image (``/etc/passwd``), or None."""
        raise NotImplementedError

    def run(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        """Run the image once and observe it."""
        raise NotImplementedError

    def remove_image(self, tag: str) -> None:
        """Remove an image this run built (errors are ignored)."""
        raise NotImplementedError

    def cleanup(self) -> None:
        """Remove every container and image this run left behind."""
        raise NotImplementedError

    def configured_uid(self, tag: str, image: ImageInfo) -> int | None:
        """The uid the image's ``USER`` names, read through its ``/etc/passwd``."""
        name = image.user.partition(":")[0]
        if not name or name.isdigit():
            return uid_from_passwd(image.user, None)
        return uid_from_passwd(image.user, self.read_file(tag, "/etc/passwd"))


class DockerEngine(Engine):
    """The Docker CLI (``DOCKER_HOST`` and contexts honoured; BuildKit when it is on)."""

    name = "docker"

    def __init__(self, executable: str, run_id: str) -> None:
        super().__init__(executable, run_id)
        self._made: dict[str, list[str]] = {}

    def check(self) -> None:
        """The daemon answers ``docker version``."""
        try:
            done = _run([self.executable, "version", "--format", "{{.Server.Version}}"], timeout=20)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"{self.name} did not answer in 20 s") from exc
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()
            raise EngineError(f"{self.name} does not work here: {why[-1] if why else 'error'}")

    def pull_words(self, pull: bool | None) -> list[str]:
        """docker build's ``--pull`` is a switch: always pull, or the default."""
        return ["--pull"] if pull else []

    def inspect(self, tag: str) -> ImageInfo | None:
        """``docker image inspect``."""
        done = _run([self.executable, "image", "inspect", tag], timeout=60)
        if done.returncode != 0:
            return None
        try:
            data = json.loads(done.stdout)[0]
        except (ValueError, IndexError, KeyError):
            return None
        config = data.get("Config") or {}
        size = data.get("Size")
        return parse_image_config(config, int(size) if isinstance(size, int) else None)

    def read_file(self, tag: str, path: str) -> bytes | None:
        """Created (never started) container, ``cp`` of the file as a tar stream."""
        done = _run(
            [self.executable, "create", "--label", f"{LABEL}={self.run_id}", tag], timeout=60
        )
        if done.returncode != 0:
            return None
        cid = done.stdout.decode().strip()
        try:
            copied = _run([self.executable, "cp", f"{cid}:{path}", "-"], timeout=60)
            if copied.returncode != 0:
                return None
            return _single_file_from_tar(copied.stdout)
        finally:
            _run([self.executable, "rm", "-f", cid], timeout=60)

    def run(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        """``docker run``: detached with ports on 127.0.0.1, or one-shot without a network."""
        if options.ports:
            return self._serve(tag, image, options)
        return run_twice(lambda: self._once(tag, image, options), options.repeat)

    def _once(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        name = f"dockerfix-verify-{self.run_id}-{uuid.uuid4().hex[:8]}"
        argv = [self.executable, "run", "--name", name, "--label", f"{LABEL}={self.run_id}"]
        argv += ["--network", "none", tag, *options.args]
        start = time.monotonic()
        try:
            done = _run(argv, timeout=options.timeout)
        except subprocess.TimeoutExpired:
            self._remove_container(name)
            return RunResult(
                True, time.monotonic() - start, None, error=still_running(options.timeout)
            )
        seconds = time.monotonic() - start
        self._remove_container(name)
        started = done.returncode not in (125, 126, 127)
        return RunResult(
            started,
            seconds,
            done.returncode,
            done.stdout[-65536:],
            done.stderr[-65536:],
            uid=self.configured_uid(tag, image),
            uid_source="config",
        )

    def _serve(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        """Start detached with the ports on 127.0.0.1, probe, read the uid and logs, remove.

        A daemon that can publish no port (no bridge network) is probed from inside the
        container's network namespace, where the daemon is local (``nsenter``).
        """
        from dockerfix.verify import probe

        name = f"dockerfix-verify-{self.run_id}-{uuid.uuid4().hex[:8]}"
        argv = [self.executable, "run", "-d", "--name", name, "--label", f"{LABEL}={self.run_id}"]
        for port in options.ports:
            argv += ["-p", f"127.0.0.1::{port}"]
        start = time.monotonic()
        done = _run([*argv, tag, *options.args], timeout=120)
        if done.returncode != 0:
            self._remove_container(name)
            return RunResult(False, 0.0, error=_tail(done.stderr.decode(errors="replace"), 3))
        try:
            deadline = start + options.timeout
            published = self._published(name, options.ports)
            if published:
                served, answers, same = probe.observe(
                    options.ports, options.paths, deadline, repeat=options.repeat,
                    alive=lambda: self._running(name), host_ports=published,
                )  # fmt: skip
            else:
                inside = self._probe_inside(name, options, max(deadline - time.monotonic(), 1))
                served, answers, same = inside or (False, [], True)
            seconds = time.monotonic() - start
            uid = self._process_uid(name)
            exit_code = None if served else self._exit_code(name)
            logs = _run([self.executable, "logs", name], timeout=60)
            return RunResult(
                served or exit_code is not None, seconds, exit_code,
                logs.stdout[-65536:], logs.stderr[-65536:], served=served,
                ports=options.ports, answers=tuple(answers), uid=uid,
                uid_source="process" if uid is not None else None, deterministic=same,
            )  # fmt: skip
        finally:
            self._remove_container(name)

    def _published(self, name: str, ports: Sequence[int]) -> dict[int, int]:
        """Container port -> the 127.0.0.1 port it is published on (none without a bridge)."""
        published: dict[int, int] = {}
        for port in ports:
            out = _run([self.executable, "port", name, f"{port}/tcp"], timeout=30)
            lines = out.stdout.decode().strip().splitlines()
            if lines and lines[0].rpartition(":")[2].isdigit():
                published[port] = int(lines[0].rpartition(":")[2])
        return published

    def _state(self, name: str, field: str) -> str:
        done = _run(
            [self.executable, "inspect", "--format", f"{{{{.State.{field}}}}}", name], timeout=30
        )
        return done.stdout.decode().strip()

    def _running(self, name: str) -> bool:
        return self._state(name, "Running") == "true"

    def _exit_code(self, name: str) -> int | None:
        """The exit status of a container that has stopped (None while it runs)."""
        if self._running(name):
            return None
        code = self._state(name, "ExitCode")
        return int(code) if code.lstrip("-").isdigit() else None

    def _probe_inside(
        self, name: str, options: RunOptions, timeout: float
    ) -> tuple[bool, list[probe.HttpAnswer], bool] | None:
        """Probe from inside the container's network namespace (a local daemon, as root)."""
        pid = self._state(name, "Pid")
        if not pid.isdigit() or pid == "0" or not os.path.exists(f"/proc/{pid}/ns/net"):
            return None
        if shutil.which("nsenter") is None:
            return None
        spec = {"probe_only": True, "ports": list(options.ports), "paths": list(options.paths),
                "timeout": timeout, "repeat": options.repeat}  # fmt: skip
        argv = ["nsenter", "-t", pid, "-n", "--", sys.executable, "-m", "dockerfix.verify.netns"]
        try:
            probed = subprocess.run(
                argv, input=json.dumps(spec).encode(), capture_output=True,
                timeout=timeout * 3 + 30, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        if probed.returncode != 0 or not probed.stdout:
            return None
        from dockerfix.verify.netns import result_from_json

        result = result_from_json(probed.stdout)
        return result.served, list(result.answers), result.deterministic

    def _process_uid(self, name: str) -> int | None:
        """The uid of the container's process: from ``/proc`` where the daemon is local,
        else as ``docker top`` shows it (``ps -o pid,uid`` inside the daemon's view)."""
        from dockerfix.verify import probe

        pid = self._state(name, "Pid")
        if pid.isdigit() and pid != "0" and os.path.exists(f"/proc/{pid}"):
            return probe.uid_of(int(pid))
        done = _run([self.executable, "top", name, "-o", "pid,uid"], timeout=30)
        rows = [line.split() for line in done.stdout.decode(errors="replace").splitlines()[1:]]
        uids = [row[1] for row in rows if len(row) > 1 and row[1].isdigit()]
        return int(uids[0]) if uids else None

    def _remove_container(self, name: str) -> None:
        _run([self.executable, "rm", "-f", name], timeout=60)

    def note_build_log(self, tag: str, log: str) -> None:
        """The classic builder keeps each stage's last layer as an untagged image (BuildKit
        keeps none): they are this build's own, removed with the tag."""
        self._made[tag] = re.findall(r"---> ([0-9a-f]{12})\b", log)

    def remove_image(self, tag: str) -> None:
        """``docker rmi`` of the tag, and of its build's stage images that nothing tags."""
        _run([self.executable, "rmi", "-f", tag], timeout=120)
        for image in dict.fromkeys(reversed(self._made.pop(tag, []))):
            tags = _run(
                [self.executable, "image", "inspect", "--format", "{{len .RepoTags}}", image],
                timeout=60,
            )
            if tags.returncode == 0 and tags.stdout.strip() == b"0":
                _run([self.executable, "rmi", image], timeout=120)  # never -f: only if unused

    def cleanup(self) -> None:
        """Containers and images labelled with this run's id."""
        label = f"label={LABEL}={self.run_id}"
        ps = _run([self.executable, "ps", "-aq", "--filter", label], timeout=60)
        for cid in ps.stdout.decode().split():
            self._remove_container(cid)
        images = _run([self.executable, "images", "-q", "--filter", label], timeout=60)
        for iid in dict.fromkeys(images.stdout.decode().split()):
            _run([self.executable, "rmi", "-f", iid], timeout=120)


class PodmanEngine(DockerEngine):
    """The Podman CLI: docker's words, its own ``--pull`` values and process lookup."""

    name = "podman"

    def check(self) -> None:
        """``podman info`` works (storage and runtime are usable)."""
        try:
            done = _run(
                [self.executable, "info", "--format", "{{.Host.OCIRuntime.Name}}"], timeout=30
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineError("podman did not answer in 30 s") from exc
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()
            raise EngineError(f"podman does not work here: {why[-1] if why else 'error'}")

    def pull_words(self, pull: bool | None) -> list[str]:
        """``--pull=always|never``."""
        return Engine.pull_words(self, pull)


class BuildahEngine(Engine):
    """Buildah, daemonless: ``bud`` and ``run`` with chroot isolation (no OCI runtime needed)."""

    name = "buildah"

    def check(self) -> None:
        """``buildah info`` works (its storage is usable)."""
        try:
            done = _run([self.executable, "info"], timeout=60)
        except subprocess.TimeoutExpired as exc:
            raise EngineError("buildah did not answer in 60 s") from exc
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()
            raise EngineError(f"buildah does not work here: {why[-1] if why else 'error'}")

    def build_words(self) -> list[str]:
        """``bud --isolation chroot``."""
        return ["bud", "--isolation", "chroot"]

    def transient_failure(self, log: str) -> bool:
        """Buildah's chroot executor sometimes cannot seal its in-memory copy of itself
        (``Close_Fd sealing memfd copy: Device or resource busy``) under load."""
        return "sealing memfd" in log

    def inspect(self, tag: str) -> ImageInfo | None:
        """``buildah inspect --type image``; the size is the sum of the layers' sizes."""
        done = _run([self.executable, "inspect", "--type", "image", tag], timeout=60)
        if done.returncode != 0:
            return None
        try:
            data = json.loads(done.stdout)
            config = (data.get("OCIv1") or {}).get("config") or {}
            manifest = json.loads(data.get("Manifest") or "{}")
            size = sum(int(layer.get("size", 0)) for layer in manifest.get("layers", []))
        except (ValueError, TypeError, AttributeError):
            return None
        return parse_image_config(config, size or None)

    def read_file(self, tag: str, path: str) -> bytes | None:
        """Read it from a mounted working container."""
        container = self._container(tag)
        if container is None:
            return None
        try:
            mounted = _run([self.executable, "mount", container], timeout=60)
            root = mounted.stdout.decode().strip()
            if mounted.returncode != 0 or not root:
                return None
            target = os.path.join(root, path.lstrip("/"))
            real = os.path.realpath(target)
            if not real.startswith(os.path.realpath(root)):
                return None  # a link out of the image: not ours to read
            try:
                with open(real, "rb") as fh:
                    return fh.read(1 << 20)
            except OSError:
                return None
        finally:
            self._remove_container(container)

    def _container(self, tag: str) -> str | None:
        name = f"dockerfix-verify-{self.run_id}-{uuid.uuid4().hex[:8]}"
        done = _run([self.executable, "from", "--pull=never", "--name", name, tag], timeout=120)
        return name if done.returncode == 0 else None

    def _remove_container(self, name: str) -> None:
        _run([self.executable, "rm", name], timeout=60)

    def run(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        """``buildah run`` in a network namespace with only loopback, probed from inside it;
        once more (in a new container) when buildah's memfd hiccup stopped it."""
        result = self._run_once(tag, image, options)
        said = result.stderr.decode("utf-8", errors="replace") + (result.error or "")
        if self.transient_failure(said):
            result = self._run_once(tag, image, options)
        return result

    def _run_once(self, tag: str, image: ImageInfo, options: RunOptions) -> RunResult:
        if shutil.which("unshare") is None:
            return RunResult(False, 0.0, error="unshare (util-linux) is needed to run with buildah")
        container = self._container(tag)
        if container is None:
            return RunResult(False, 0.0, error=f"buildah from {tag} failed")
        try:
            command = command_of(image, options.args)
            if not command:
                return RunResult(False, 0.0, error="the image has no ENTRYPOINT or CMD")
            spec = {
                "command": [
                    self.executable,
                    "run",
                    "--isolation",
                    "chroot",
                    container,
                    "--",
                    *command,
                ],
                "ports": list(options.ports),
                "paths": list(options.paths),
                "timeout": options.timeout,
                "repeat": options.repeat,
            }
            result = _in_own_network(spec, options.timeout)
            if result.uid is None:
                result = result._replace(uid=self.configured_uid(tag, image), uid_source="config")
            return _without_engine_noise(result)
        finally:
            self._remove_container(container)

    def remove_image(self, tag: str) -> None:
        """``buildah rmi``."""
        _run([self.executable, "rmi", "-f", tag], timeout=120)

    def cleanup(self) -> None:
        """Working containers named for this run, and images labelled with its id."""
        prefix = f"dockerfix-verify-{self.run_id}-"
        listed = _run([self.executable, "containers", "--format", "{{.ContainerName}}"], timeout=60)
        for name in listed.stdout.decode().split():
            if name.startswith(prefix):
                self._remove_container(name)
        images = _run(
            [self.executable, "images", "-q", "--filter", f"label={LABEL}={self.run_id}"],
            timeout=60,
        )
        for iid in dict.fromkeys(images.stdout.decode().split()):
            _run([self.executable, "rmi", "-f", iid], timeout=120)


#: buildah's own lines about the process it ran, not the program's output
_BUILDAH_NOISE = (b"subprocess exited with status", b"Error: exit status")


def _without_engine_noise(result: RunResult) -> RunResult:
    lines = result.stderr.splitlines(keepends=True)
    kept = b"".join(ln for ln in lines if not ln.startswith(_BUILDAH_NOISE))
    if b"process failed to start with error" in result.stderr:
        return result._replace(started=False, stderr=kept, error=_failed_start(result.stderr))
    if result.exit_code == 125 and kept.startswith(b"Error: "):  # buildah's own, before the start
        message = kept.decode("utf-8", errors="replace").strip().splitlines()[0]
        return result._replace(started=False, stderr=kept, error=message)
    return result._replace(stderr=kept)


def _failed_start(stderr: bytes) -> str:
    text = stderr.decode("utf-8", errors="replace")
    start = text.find("process failed to start with error")
    message = text[start:].split("process exited with error")[0].strip()
    return message.removeprefix("process failed to start with error: ")


def _in_own_network(spec: dict[str, object], timeout: float) -> RunResult:
    """Run ``spec`` through ``dockerfix.verify.netns`` under ``unshare --net``."""
    from dockerfix.verify.netns import result_from_json

    argv = ["unshare", "--net", "--", sys.executable, "-m", "dockerfix.verify.netns"]
    with tempfile.TemporaryFile() as out:
        try:
            done = subprocess.run(
                argv,
                input=json.dumps(spec).encode(),
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=timeout * 3 + 60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return RunResult(False, timeout, error="the run did not end (the probe hung)")
        out.seek(0)
        payload = out.read()
    if done.returncode != 0 or not payload:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        return RunResult(False, 0.0, error=f"could not run: {why[-1] if why else 'no output'}")
    return result_from_json(payload)


def _single_file_from_tar(data: bytes) -> bytes | None:
    import io
    import tarfile

    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar:
                if member.isfile():
                    handle = tar.extractfile(member)
                    return handle.read(1 << 20) if handle else None
    except (tarfile.TarError, OSError):
        return None
    return None


def find_engine(name: str, run_id: str) -> Engine:
    """The engine named (``auto``: the first of docker, podman, buildah that works)."""
    classes: dict[str, type[Engine]] = {
        "docker": DockerEngine,
        "podman": PodmanEngine,
        "buildah": BuildahEngine,
    }
    if name != "auto":
        return classes[name].find(run_id)
    reasons: list[str] = []
    for candidate in ENGINE_NAMES:
        try:
            return classes[candidate].find(run_id)
        except EngineError as exc:
            reasons.append(str(exc))
    raise EngineError("no container engine works here: " + "; ".join(reasons))
