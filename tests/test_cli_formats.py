"""``--format json|sarif|github|gitlab``: they parse and carry what CI and migration tools need."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dockerfix.cli.report import _escape_data, _escape_property
from tests.clitools import CHANGED, FOUND, cli, make_tree, proc


@pytest.fixture
def bad_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_tree(tmp_path / "repo", errors=True)
    monkeypatch.chdir(root)
    return root


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = cli(["--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_json_report_carries_a_per_file_summary(bad_tree: Path) -> None:
    code, doc = run_json()
    assert code == 2
    assert doc["tool"] == "dockerfix"
    assert doc["mode"] == "report"
    assert doc["exit_code"] == 2
    by_path = {f["path"]: f for f in doc["files"]}
    assert set(by_path) == {*FOUND, "bin/Dockerfile", "broken/Dockerfile"}
    for path in CHANGED:
        entry = by_path[path]
        assert entry["status"] == "changed"
        assert entry["changed"] is True
        assert entry["written"] is False
        assert entry["rules_applied"]
        assert entry["error"] is None
        assert isinstance(entry["rules_skipped"], dict)
        for d in entry["diagnostics"]:
            assert {"code", "name", "path", "line", "column", "end_line", "message"} <= set(d)
            assert {"fixed", "reason", "status"} <= set(d)
            assert re.fullmatch(r"DFX\d{3}", d["code"])
            assert d["path"] == path
            assert d["status"] in ("would-fix", "not-fixed")
            assert d["status"] == ("would-fix" if d["fixed"] else "not-fixed")
    assert by_path["svc/web.dockerfile"]["status"] == "unchanged"
    broken = by_path["broken/Dockerfile"]
    assert broken["status"] == "error"
    assert broken["error"] == {
        "kind": "parse-error",
        "message": "unterminated heredoc",
        "line": 2,
        "column": 1,
    }
    summary = doc["summary"]
    assert summary["files"] == len(FOUND) + 2
    assert summary["changed"] == len(CHANGED)
    assert summary["unchanged"] == 1
    assert summary["errors"] == 2
    assert sum(summary["fixes"].values()) == sum(
        1 for f in doc["files"] for d in f["diagnostics"] if d["fixed"]
    )


def test_json_write_reports_what_was_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "repo")
    monkeypatch.chdir(root)
    code, doc = run_json("--write")
    assert code == 0
    assert doc["mode"] == "write"
    entry = next(f for f in doc["files"] if f["path"] == "Dockerfile")
    assert entry["written"] is True
    assert {d["status"] for d in entry["diagnostics"] if d["fixed"]} == {"fixed"}
    created = [p for f in doc["files"] for p in f["files_created"]]
    assert doc["summary"]["files_created"] == len(created)
    for path in created:
        assert (root / path).is_file()
    assert len(created) == len(set(created))  # a folder's .dockerignore is created once
    code, again = run_json("--write")
    assert (code, again["summary"]["changed"], again["summary"]["files_created"]) == (0, 0, 0)


def test_sarif_is_sarif_2_1_0(bad_tree: Path) -> None:
    result = cli(["--format", "sarif"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dockerfix"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "DFX005" in rule_ids
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"]
    assert run["results"]
    for res in run["results"]:
        assert res["ruleId"] in rule_ids
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("warning", "note")
        assert res["message"]["text"]
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] in FOUND
        assert phys["region"]["startLine"] >= 1
        assert phys["region"]["startColumn"] >= 1
        assert isinstance(res["properties"]["fixed"], bool)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n
        for n in invocation["toolExecutionNotifications"]
    }
    assert set(notes) == {"bin/Dockerfile", "broken/Dockerfile"}
    assert notes["broken/Dockerfile"]["level"] == "error"
    assert notes["broken/Dockerfile"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 1,
    }


_COMMAND = re.compile(r"^::(warning|notice|error) ((?:[a-zA-Z]+=[^,:]*,?)+)::(.+)$")


def test_github_workflow_commands(bad_tree: Path) -> None:
    result = cli(["--format", "github"])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines
    kinds: dict[str, int] = {}
    for line in lines:
        match = _COMMAND.match(line)
        assert match, line
        kind, props, _message = match.groups()
        kinds[kind] = kinds.get(kind, 0) + 1
        fields = dict(p.split("=", 1) for p in props.split(","))
        assert fields["file"] in {*FOUND, "bin/Dockerfile", "broken/Dockerfile"}
        if kind != "error":
            assert int(fields["line"]) >= 1
            assert int(fields["col"]) >= 1
            assert re.match(r"DFX\d{3} \(", fields["title"])
    assert kinds.get("warning")
    assert kinds.get("error") == 2
    assert (
        "::error file=broken/Dockerfile,line=2,col=1,title=dockerfix parse-error::"
        + ("unterminated heredoc")
        in lines
    )


def test_github_escaping() -> None:
    assert _escape_data("50% done\nnext\r") == "50%25 done%0Anext%0D"
    assert _escape_property("a,b:c") == "a%2Cb%3Ac"


def test_gitlab_code_quality(bad_tree: Path) -> None:
    result = cli(["--format", "gitlab"])
    assert result.exit_code == 2
    issues = json.loads(result.stdout)
    assert isinstance(issues, list)
    assert issues
    for issue in issues:
        assert issue["description"]
        assert issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"]
        assert issue["location"]["lines"]["begin"] >= 1
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(fingerprints) == len(set(fingerprints))
    errors = [i for i in issues if i["check_name"].startswith("dockerfix/")]
    assert {i["location"]["path"] for i in errors} == {"bin/Dockerfile", "broken/Dockerfile"}


def test_fingerprints_are_stable_between_runs(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    first = json.loads(proc(["--format", "gitlab", "."], root).stdout)
    second = json.loads(proc(["--format", "gitlab", "."], root).stdout)
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
def test_machine_formats_parse_from_a_real_process(tmp_path: Path, fmt: str) -> None:
    root = make_tree(tmp_path / "repo", errors=True)
    result = proc(["--format", fmt, "."], root)
    assert result.returncode == 2
    json.loads(result.stdout)
    assert b"broken/Dockerfile:2:1: unterminated heredoc" in result.stderr


def test_check_with_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "repo")
    monkeypatch.chdir(root)
    code, doc = run_json("--check")
    assert (code, doc["mode"]) == (1, "check")
    code, doc = run_json("--check", "svc/web.dockerfile")
    assert (code, doc["summary"]["changed"]) == (0, 0)


def test_the_command_line_offers_every_format() -> None:
    from dockerfix.cli.report import FORMATS, RENDERERS
    from dockerfix.cli.settings import FORMATS as offered

    assert offered == FORMATS
    assert set(RENDERERS) == set(FORMATS) - {"text"}
