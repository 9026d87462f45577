"""``dockerfix verify`` without an engine: the verdicts, the engines' parsing, the command line.

The real builds and runs are in ``tests/e2e`` (buildah and stand-in images); here a fake
engine stands in, so every verdict and exit code is checked in milliseconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.cli.verify import VerifyRequest, verify, verify_paths
from dockerfix.runner import Overrides
from dockerfix.verify import compare, engines, output
from dockerfix.verify.compare import (
    REGRESSION,
    UNVERIFIABLE,
    VERIFIED,
    BuildResult,
    ImageInfo,
    RunResult,
    Side,
)
from dockerfix.verify.netns import result_from_json, result_to_json
from dockerfix.verify.probe import HttpAnswer

IMAGE = ImageInfo(100, "", (), ("/app/server",), "/app", (8080,))
FIXED = ImageInfo(10, "65532:65532", ("/server",), (), "/", (8080,))


def side(run: RunResult | None, *, ok: bool = True, image: ImageInfo = IMAGE) -> Side:
    return Side(BuildResult(ok, 1.0, "STEP 1/2\nError: boom" if not ok else ""), image, run)


def served(body: bytes = b"hi", status: int = 200, uid: int = 0) -> RunResult:
    return RunResult(
        True, 0.2, served=True, ports=(8080,), answers=(HttpAnswer("/", status, body),), uid=uid
    )


def once(code: int | None, out: bytes = b"ok\n", deterministic: bool = True) -> RunResult:
    return RunResult(True, 0.1, code, out, b"", deterministic=deterministic)


# -- the verdicts ---------------------------------------------------------------------------


def test_same_answers_verify() -> None:
    verdict = compare.judge(side(served()), side(served(uid=65532), image=FIXED))
    assert verdict.status == VERIFIED
    assert "port 8080 served" in verdict.why


def test_an_original_that_does_not_build_is_unverifiable() -> None:
    verdict = compare.judge(side(None, ok=False), Side())
    assert verdict.status == UNVERIFIABLE
    assert "Error: boom" in verdict.why


def test_a_fixed_file_that_does_not_build_is_a_regression() -> None:
    verdict = compare.judge(side(served()), side(None, ok=False))
    assert verdict.status == REGRESSION
    assert "does not build" in verdict.why


def test_an_original_that_does_not_start_is_unverifiable() -> None:
    broken = RunResult(False, 0.0, error="fork/exec /app: no such file or directory")
    assert compare.judge(side(broken), side(served())).status == UNVERIFIABLE


def test_a_fixed_image_that_does_not_start_is_a_regression() -> None:
    broken = RunResult(False, 0.0, 1, error="fork/exec /server: no such file or directory")
    verdict = compare.judge(side(served()), side(broken, image=FIXED))
    assert verdict.status == REGRESSION
    assert "no such file or directory" in verdict.why


def test_a_server_that_stops_serving_is_a_regression() -> None:
    exited = RunResult(True, 0.3, 1, b"", b"permission denied", ports=(8080,))
    verdict = compare.judge(side(served()), side(exited, image=FIXED))
    assert verdict.status == REGRESSION
    assert "does not serve" in verdict.why


@pytest.mark.parametrize(
    ("after", "why"),
    [(served(status=500), "HTTP 200 before, 500 after"), (served(b"other"), "another body")],
)
def test_other_answers_are_a_regression(after: RunResult, why: str) -> None:
    verdict = compare.judge(side(served()), side(after, image=FIXED))
    assert verdict.status == REGRESSION
    assert why in verdict.why


def test_bodies_that_vary_are_compared_by_status_only() -> None:
    varying = served()._replace(deterministic=False)
    assert compare.judge(side(varying), side(served(b"other"))).status == VERIFIED


def test_exit_status_and_output_of_a_one_shot_run() -> None:
    assert compare.judge(side(once(0)), side(once(0))).status == VERIFIED
    assert compare.judge(side(once(0)), side(once(1))).status == REGRESSION
    assert compare.judge(side(once(0)), side(once(0, b"no\n"))).status == REGRESSION
    varying = once(0, deterministic=False)
    assert compare.judge(side(varying), side(once(0, b"no\n"))).status == VERIFIED


def test_the_moved_binary_in_a_usage_message_is_no_difference() -> None:
    before = once(2, b"Usage of /app/server:\n")
    after = once(2, b"Usage of /server:\n")
    assert compare.judge(side(before), side(after, image=FIXED)).status == VERIFIED


def test_two_servers_still_running_without_a_port_verify() -> None:
    running = RunResult(True, 5.0, None, error="still running after 5 s")
    assert compare.judge(side(running), side(running)).status == VERIFIED


# -- the engines' words ----------------------------------------------------------------------


def test_image_configuration_is_read_like_the_engines_write_it() -> None:
    config = {
        "User": "65532:65532",
        "Entrypoint": ["/server"],
        "Cmd": None,
        "WorkingDir": "/",
        "ExposedPorts": {"8080/tcp": {}, "53/udp": {}, "9090": {}},
    }
    info = engines.parse_image_config(config, 42)
    assert info == ImageInfo(42, "65532:65532", ("/server",), (), "/", (8080, 9090))


def test_command_of_follows_docker_run() -> None:
    assert engines.command_of(IMAGE, ()) == ["/app/server"]
    assert engines.command_of(IMAGE, ("once",)) == ["once"]  # CMD replaced
    assert engines.command_of(FIXED, ("once",)) == ["/server", "once"]  # appended


@pytest.mark.parametrize(
    ("user", "uid"),
    [("", 0), ("65532:65532", 65532), ("app", 1001), ("app:app", 1001), ("x", None)],
)
def test_uid_from_passwd(user: str, uid: int | None) -> None:
    passwd = b"root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n"
    assert engines.uid_from_passwd(user, passwd) == uid


def test_run_results_cross_the_network_namespace_intact() -> None:
    result = served(b"\xff\x00binary")._replace(stdout=b"\x01", stderr=b"e", uid=7)
    assert result_from_json(result_to_json(result)) == result


def test_engine_noise_is_not_the_program_s_output() -> None:
    result = RunResult(
        True, 0.1, 3, b"", b"boom\nsubprocess exited with status 3\nError: exit status 3\n"
    )
    assert engines._without_engine_noise(result).stderr == b"boom\n"
    failed = RunResult(
        True, 0.1, 1, b"",
        b"process failed to start with error: fork/exec /x: no such file or directoryprocess "
        b"exited with error: exec: not started",
    )  # fmt: skip
    cleaned = engines._without_engine_noise(failed)
    assert not cleaned.started
    assert cleaned.error == "fork/exec /x: no such file or directory"


def test_auto_finds_no_engine_on_an_empty_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(engines.EngineError, match="no container engine works here"):
        engines.find_engine("auto", "run")


# -- a whole run with a fake engine ------------------------------------------------------------


class FakeEngine(engines.Engine):
    """Builds nothing: the 'fixed' image is broken when the Dockerfile says so."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__("fake", "test")
        self.images: dict[str, str] = {}
        self.removed: list[str] = []
        self.cleaned = False

    def check(self) -> None:
        """Always works."""

    def build(self, context: str, dockerfile: str, tag: str, options: object) -> BuildResult:
        """Remember which Dockerfile the tag is."""
        self.images[tag] = Path(dockerfile).read_text()
        return BuildResult("BROKEN" not in self.images[tag], 0.01, "Error: BROKEN")

    def inspect(self, tag: str) -> ImageInfo | None:
        """Fixed files have an ENTRYPOINT."""
        return FIXED if "ENTRYPOINT" in self.images[tag] else IMAGE

    def run(self, tag: str, image: ImageInfo, options: engines.RunOptions) -> RunResult:
        """A server that answers the same, with the uid of the USER."""
        assert options.ports == (8080,)
        return served(uid=65532 if "USER" in self.images[tag] else 0)

    def remove_image(self, tag: str) -> None:
        """Note it."""
        self.removed.append(tag)

    def cleanup(self) -> None:
        """Note it."""
        self.cleaned = True


APP = {
    "go.mod": "module example.com/hello\n\ngo 1.22\n",
    "main.go": (
        'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'
    ),
    "Dockerfile": (
        "FROM golang:1.22-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\n"
        'EXPOSE 8080\nCMD ["/app/server"]\n'
    ),
}


def make_app(root: Path, files: dict[str, str] = APP) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def request(path: Path, **changes: object) -> VerifyRequest:
    req = VerifyRequest(
        (str(path),), Overrides(), "auto", engines.BuildOptions(), engines.RunOptions(), quiet=True
    )
    return req._replace(**changes)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    engine = FakeEngine()
    monkeypatch.setattr(engines, "find_engine", lambda name, run_id: engine)
    return engine


def test_a_run_verifies_writes_and_cleans_up(
    tmp_path: Path, fake: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(tmp_path)
    before = (app / "Dockerfile").read_text()
    assert verify_paths(request(app)) == 0
    out = capsys.readouterr().out
    assert "Dockerfile: VERIFIED (size 100 B -> 10 B, uid 0 -> 65532;" in out
    assert (app / "Dockerfile").read_text() == before  # verify alone writes nothing
    assert not (app / ".dockerignore").exists()
    assert len(fake.removed) == 2
    assert fake.cleaned
    assert verify_paths(request(app, write=True)) == 0
    assert "ENTRYPOINT" in (app / "Dockerfile").read_text()
    assert (app / ".dockerignore").is_file()


def test_a_regression_is_exit_1_and_is_not_written(
    tmp_path: Path, fake: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    original = FakeEngine.build

    def broken_after(
        self: FakeEngine, context: str, dockerfile: str, tag: str, o: object
    ) -> BuildResult:
        if "after" in tag:
            Path(dockerfile).write_text(Path(dockerfile).read_text() + "# BROKEN\n")
        return original(self, context, dockerfile, tag, o)

    monkeypatch.setattr(FakeEngine, "build", broken_after)
    before = (app / "Dockerfile").read_text()
    assert verify_paths(request(app, write=True)) == 1
    assert (app / "Dockerfile").read_text() == before


def test_json_has_every_measurement(
    tmp_path: Path, fake: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(tmp_path)
    assert verify_paths(request(app, output_format="json")) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"files": 1, "verified": 1, "regression": 0, "unverifiable": 0}
    (entry,) = document["files"]
    assert entry["before"]["image"]["size"] == 100
    assert entry["after"]["run"]["uid"] == 65532
    assert "DFX001" in entry["rules_applied"]


def test_the_fixed_copy_holds_the_new_dockerfile_and_dockerignore(
    tmp_path: Path, fake: FakeEngine
) -> None:
    seen: dict[str, list[str]] = {}
    original = FakeEngine.build

    def build(self: FakeEngine, context: str, dockerfile: str, tag: str, o: object) -> BuildResult:
        seen[tag] = sorted(p.name for p in Path(context).iterdir())
        return original(self, context, dockerfile, tag, o)

    app = make_app(tmp_path / "app")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeEngine, "build", build)
        verify_paths(request(app))
    before, after = (seen[t] for t in sorted(seen, key=lambda t: "after" in t))
    assert ".dockerignore" not in before
    assert ".dockerignore" in after


def test_no_engine_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    app = make_app(tmp_path)
    result = CliRunner().invoke(verify, [str(app)])
    assert result.exit_code == 2
    assert "no container engine works here" in result.output


def test_nothing_to_verify_is_exit_0(tmp_path: Path, fake: FakeEngine) -> None:
    app = make_app(tmp_path, {"Dockerfile": "FROM scratch\nCOPY x /x\n"})
    result = CliRunner().invoke(verify, [str(app)])
    assert result.exit_code == 0
    assert "nothing to verify" in result.output


def test_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(verify, ["--http-path", "healthz", str(tmp_path)]).exit_code == 2
    assert runner.invoke(verify, ["--select", "DFX999", str(tmp_path)]).exit_code == 2
    assert runner.invoke(verify, ["--engine", "lxc", str(tmp_path)]).exit_code == 2


def test_http_paths_come_from_the_settings(tmp_path: Path, fake: FakeEngine) -> None:
    app = make_app(tmp_path)
    (app / ".dockerfix.toml").write_text('[verify]\nhttp-paths = ["/healthz", "/"]\n')
    paths: list[tuple[str, ...]] = []

    def run(self: FakeEngine, tag: str, image: ImageInfo, options: engines.RunOptions) -> RunResult:
        paths.append(options.paths)
        return served()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeEngine, "run", run)
        verify_paths(request(app))
    assert paths == [("/healthz", "/"), ("/healthz", "/")]


def test_exit_codes() -> None:
    ok = output.exit_code([])
    assert ok == 0
    assert output.exit_code([], errors=1) == 2
    assert output.size_text(431_780_864) == "431.8 MB"
    assert output.size_text(None) == "?"


def test_write_verify_writes_only_verified_files(tmp_path: Path, fake: FakeEngine) -> None:
    from dockerfix.cli.command import main

    app = make_app(tmp_path)
    result = CliRunner().invoke(main, ["--write", "--verify", str(app)])
    assert result.exit_code == 0, result.output
    assert "ENTRYPOINT" in (app / "Dockerfile").read_text()
    assert "written" in result.output
    assert CliRunner().invoke(main, ["--verify", str(app)]).exit_code == 2  # needs --write


@pytest.mark.parametrize(
    ("cls", "pull_words"),
    [(engines.DockerEngine, ["--pull"]), (engines.PodmanEngine, ["--pull=always"]),
     (engines.BuildahEngine, ["--pull=always"])],
)  # fmt: skip
def test_build_options_reach_the_engine(
    cls: type[engines.Engine], pull_words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    seen: list[list[str]] = []

    def fake_run(argv: list[str], *, timeout: float, stdin: bytes | None = None) -> object:
        seen.append(list(argv))
        return subprocess.CompletedProcess(argv, 0, b"---> 0123456789ab\n", b"")

    monkeypatch.setattr(engines, "_run", fake_run)
    engine = cls("/usr/bin/engine", "run1")
    options = engines.BuildOptions(("A=1", "B=2"), "release", "linux/arm64", True, 60)
    result = engine.build("/ctx", "/ctx/Dockerfile", "localhost/x:1", options)
    assert result.ok
    argv = seen[0]
    assert argv[:1] == ["/usr/bin/engine"]
    assert argv[-1] == "/ctx"
    for pair in (["-f", "/ctx/Dockerfile"], ["-t", "localhost/x:1"], ["--build-arg", "A=1"],
                 ["--build-arg", "B=2"], ["--target", "release"], ["--platform", "linux/arm64"],
                 ["--label", "dockerfix.verify=run1"]):  # fmt: skip
        assert any(argv[i : i + 2] == pair for i in range(len(argv))), (pair, argv)
    assert all(w in argv for w in pull_words)
    if cls is engines.BuildahEngine:
        assert argv[1:4] == ["bud", "--isolation", "chroot"]


def test_run_twice_learns_whether_the_output_is_deterministic() -> None:
    outputs = iter([b"1\n", b"2\n"])
    varying = compare.run_twice(lambda: once(0, next(outputs)), repeat=True)
    assert varying.stdout == b"1\n"
    assert not varying.deterministic
    assert compare.run_twice(lambda: once(0), repeat=True).deterministic
    calls: list[int] = []

    def timed_out() -> RunResult:
        calls.append(1)
        return RunResult(True, 5.0, None, error=compare.still_running(5))

    assert compare.run_twice(timed_out, repeat=True).exit_code is None
    assert calls == [1]  # a run that did not end is not run again


def test_a_build_that_hits_buildahs_memfd_hiccup_is_tried_once_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    answers = iter(
        [
            (1, b"Close_Fd sealing memfd copy: Device or resource busy\n"),
            (0, b"ok\n"),
            (1, b"Close_Fd sealing memfd copy: Device or resource busy\n"),
            (1, b"Close_Fd sealing memfd copy: Device or resource busy\n"),
            (1, b"go: build failed\n"),
        ]
    )
    calls: list[int] = []

    def fake_run(argv: list[str], *, timeout: float, stdin: bytes | None = None) -> object:
        calls.append(1)
        code, err = next(answers)
        return subprocess.CompletedProcess(argv, code, b"", err)

    monkeypatch.setattr(engines, "_run", fake_run)
    engine = engines.BuildahEngine("/usr/bin/buildah", "run1")
    options = engines.BuildOptions()
    assert engine.build("/ctx", "/ctx/Dockerfile", "localhost/x:1", options).ok
    assert len(calls) == 2
    assert not engine.build("/ctx", "/ctx/Dockerfile", "localhost/x:2", options).ok  # twice: stop
    assert len(calls) == 4
    assert not engine.build("/ctx", "/ctx/Dockerfile", "localhost/x:3", options).ok  # real error
    assert len(calls) == 5


def test_a_run_that_hits_buildahs_memfd_hiccup_is_tried_once_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hiccup = b"Close_Fd sealing memfd copy: Device or resource busy\n"
    stopped = RunResult(True, 0.1, 1, b"", hiccup)
    answers = iter([stopped, once(0, b"hello\n"), stopped, stopped])
    calls: list[str] = []

    def fake_once(tag: str, image: object, options: object) -> RunResult:
        calls.append(tag)
        return next(answers)

    engine = engines.BuildahEngine("/usr/bin/buildah", "run1")
    monkeypatch.setattr(engine, "_run_once", fake_once)
    image = engines.ImageInfo(None, "", ("/app",), (), "/", ())
    first = engine.run("localhost/x:1", image, engines.RunOptions())
    assert (first.exit_code, first.stdout, len(calls)) == (0, b"hello\n", 2)
    again = engine.run("localhost/x:2", image, engines.RunOptions())
    assert again.exit_code == 1  # twice: it is reported as it is
    assert len(calls) == 4
