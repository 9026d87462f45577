"""Finding Dockerfiles: names, .gitignore the way git reads it, skipped folders, symlinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.discovery import discover, is_dockerfile_name
from tests.clitools import FOUND, GO, git_init, make_tree, write


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "Dockerfile.prod",
        "Dockerfile.dev.arm64",
        "api.Dockerfile",
        "api.dockerfile",
        "Containerfile",
        "Containerfile.fedora",
        "dockerfile",  # docker build falls back to it
        "dockerfile.sales",
    ],
)
def test_dockerfile_names(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile-old",
        "Dockerfile.dockerignore",
        "api.Dockerfile.dockerignore",
        "Dockerfile.orig",
        "Dockerfile.rej",
        "Dockerfile~",
        ".Dockerfile",
        ".dockerfile",
        "README.md",
        ".dockerignore",
        "Containerfiles",
    ],
)
def test_not_dockerfile_names(name: str) -> None:
    assert not is_dockerfile_name(name)


def found(*paths: str) -> list[str]:
    return [f.path for f in discover(paths).files]


def test_the_sample_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert found(".") == FOUND
    assert found() == []  # no paths: the CLI passes "." itself


def test_paths_keep_the_users_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    assert found("repo/svc") == ["repo/svc/Dockerfile.prod", "repo/svc/web.dockerfile"]
    assert found("./repo/svc/") == ["repo/svc/Dockerfile.prod", "repo/svc/web.dockerfile"]
    absolute = str(tmp_path / "repo" / "svc")
    assert found(absolute) == [f"{absolute}/Dockerfile.prod", f"{absolute}/web.dockerfile"]


def test_each_file_once_and_sorted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = discover(["svc", ".", "Dockerfile", "svc/web.dockerfile"]).files
    assert [f.path for f in result] == FOUND
    assert {f.path for f in result if f.explicit} == {"Dockerfile", "svc/web.dockerfile"}


def test_nested_gitignore_with_negation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(tmp_path)
    write(tmp_path / ".gitignore", "*.Dockerfile\n")
    write(tmp_path / "a" / ".gitignore", "!keep.Dockerfile\n")
    write(tmp_path / "a" / "keep.Dockerfile", GO)
    write(tmp_path / "a" / "drop.Dockerfile", GO)
    write(tmp_path / "b" / "drop.Dockerfile", GO)
    write(tmp_path / "b" / "Dockerfile", GO)
    monkeypatch.chdir(tmp_path)
    assert found(".") == ["a/keep.Dockerfile", "b/Dockerfile"]


def test_gitignore_above_the_searched_folder_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path / ".gitignore", "build/\n")
    write(tmp_path / "svc" / "build" / "Dockerfile", GO)
    write(tmp_path / "svc" / "Dockerfile", GO)
    write(tmp_path / ".git" / "info" / "exclude", "local.Dockerfile\n")
    write(tmp_path / "svc" / "local.Dockerfile", GO)
    monkeypatch.chdir(tmp_path / "svc")
    assert found(".") == ["Dockerfile"]


def test_an_ignored_folder_named_explicitly_is_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path / ".gitignore", "ignored/\n")
    write(tmp_path / "ignored" / "Dockerfile", GO)
    monkeypatch.chdir(tmp_path)
    assert found(".") == []
    assert found("ignored") == ["ignored/Dockerfile"]
    assert found("ignored/Dockerfile") == ["ignored/Dockerfile"]


def test_a_named_file_is_always_processed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "build.txt", GO)
    assert found("node_modules/pkg/Dockerfile", "build.txt") == [
        "build.txt",
        "node_modules/pkg/Dockerfile",
    ]


def test_missing_and_broken_paths_are_errors(tmp_path: Path) -> None:
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    result = discover([str(tmp_path / "missing"), str(tmp_path / "dangling")])
    assert result.files == []
    assert result.errors == [
        (str(tmp_path / "missing"), "no such file or directory"),
        (str(tmp_path / "dangling"), "broken symbolic link"),
    ]


def test_symlink_loops_end(tmp_path: Path) -> None:
    write(tmp_path / "a" / "Dockerfile", GO)
    (tmp_path / "a" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a", target_is_directory=True)
    result = discover([str(tmp_path)])
    assert [f.path for f in result.files] == [str(tmp_path / "a" / "Dockerfile")]
    reasons = dict(result.skipped)
    assert "inside the tree" in reasons[str(tmp_path / "a" / "up")]


def test_a_symlinked_root_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "real" / "Dockerfile", GO)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert found("link") == ["link/Dockerfile"]


def test_unreadable_folder_is_an_error(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root lists everything")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        result = discover([str(tmp_path)])
        assert result.errors
        assert "cannot list folder" in result.errors[0][1]
    finally:
        locked.chmod(0o755)
