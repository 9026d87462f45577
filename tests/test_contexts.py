# ruff: noqa: E501  (the declaration files are written out whole, one a line)
"""Where the build context is (dockerfix.contexts.locate), and what the fixer does with it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.cli.command import main
from dockerfix.contexts.locate import ContextChoice, locate

from .test_context import make

GO_MOD = "module example.com/app\n\ngo 1.22\n"
MAIN = 'package main\n\nfunc main() { println("hi") }\n'
DEPLOYED = (
    "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY go.mod ./\nCOPY . .\n"
    'RUN go build -o /app ./cmd/app\nCMD ["/app"]\n'
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose Dockerfile is in deploy/, built from the top."""
    make(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "go.mod": GO_MOD,
                    "cmd/app/main.go": MAIN, "deploy/Dockerfile": DEPLOYED})  # fmt: skip
    return tmp_path


def test_the_nearest_go_mod_with_the_copied_files_is_guessed(repo: Path) -> None:
    choice = locate(str(repo / "deploy" / "Dockerfile"), ["go.mod", "."])
    assert choice == ContextChoice(str(repo), choice.source, guessed=True)
    assert choice.source.startswith("guessed")


def test_a_folder_with_its_own_go_mod_is_the_context(repo: Path) -> None:
    make(repo, {"svc/go.mod": GO_MOD, "svc/Dockerfile": DEPLOYED})
    choice = locate(str(repo / "svc" / "Dockerfile"), ["go.mod", "."])
    assert choice == ContextChoice(str(repo / "svc"), "the Dockerfile's folder")


def test_no_guess_outside_the_repository(tmp_path: Path) -> None:
    make(tmp_path, {"go.mod": GO_MOD, "deploy/Dockerfile": DEPLOYED})  # no .git
    choice = locate(str(tmp_path / "deploy" / "Dockerfile"), ["go.mod"])
    assert choice.directory == str(tmp_path / "deploy")
    assert not choice.guessed


def test_a_guess_needs_the_copied_files(repo: Path) -> None:
    choice = locate(str(repo / "deploy" / "Dockerfile"), ["go.mod", "config/app.yaml"])
    assert choice.directory == str(repo / "deploy")


def test_explicit_and_configured_contexts_win(repo: Path) -> None:
    dockerfile = str(repo / "deploy" / "Dockerfile")
    assert locate(dockerfile, [], explicit="elsewhere") == ContextChoice("elsewhere", "--context")
    choice = locate(
        dockerfile, [], table=(("deploy/Dockerfile", "."),), table_dir=str(repo),
        table_source=str(repo / ".dockerfix.toml"),
    )  # fmt: skip
    assert os.path.abspath(choice.directory) == str(repo)
    assert choice.source.endswith(".dockerfix.toml: contexts")


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_the_guessed_context_is_used_and_reported(repo: Path) -> None:
    code, out, _ = run(["--format", "json", "--exit-zero", "deploy/Dockerfile"], repo)
    assert code == 0
    (entry,) = json.loads(out)["files"]
    assert entry["context"] == "."
    assert entry["context_source"].startswith("guessed")
    # with the module known, the split knows the binary and go.sum's absence
    assert "DFX001" in entry["rules_applied"]
    assert ".dockerignore" in entry["files_created"]


def test_write_puts_the_dockerignore_at_the_context_root(repo: Path) -> None:
    code, _, err = run(["--write", "deploy/Dockerfile"], repo)
    assert code == 0, err
    assert (repo / ".dockerignore").is_file()
    assert not (repo / "deploy" / ".dockerignore").exists()
    assert "COPY go.mod ./" in (repo / "deploy" / "Dockerfile").read_text()


def test_context_option_and_settings(repo: Path) -> None:
    code, out, _ = run(
        ["--format", "json", "--exit-zero", "--context", ".", "deploy/Dockerfile"], repo
    )
    assert json.loads(out)["files"][0]["context_source"] == "--context"
    (repo / ".dockerfix.toml").write_text('[contexts]\n"deploy/Dockerfile" = "."\n')
    code, out, _ = run(["--format", "json", "--exit-zero", "deploy/Dockerfile"], repo)
    assert json.loads(out)["files"][0]["context_source"].endswith(".dockerfix.toml: contexts")
    (repo / ".dockerfix.toml").write_text('contexts = ["."]\n')
    code, _, err = run(["deploy/Dockerfile"], repo)
    assert code == 2
    assert "'contexts' must be a table" in err


def test_context_option_is_for_one_dockerfile(repo: Path) -> None:
    code, _, err = run(["--context", ".", "."], repo)
    assert code == 2
    assert "--context is for one Dockerfile" in err


def test_verbose_names_the_context(repo: Path) -> None:
    _, _, err = run(["--verbose", "--exit-zero", "deploy/Dockerfile"], repo)
    assert "deploy/Dockerfile: build context . (guessed:" in err


# -- declarations: compose, bake, skaffold, Tiltfile, workflows, Makefiles, scripts ------------


def declared_source(
    repo: Path, files: dict[str, str], dockerfile: str = "deploy/Dockerfile"
) -> ContextChoice:
    from dockerfix.contexts.declarations import declared

    declared.cache_clear()
    make(repo, files)
    return locate(str(repo / dockerfile), ["config/not-there.yaml"])


@pytest.mark.parametrize(
    ("files", "source"),
    [
        (
            {
                "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n"
            },
            "compose.yaml: services.api.build",
        ),
        (
            {
                "ops/docker-compose.yml": "services:\n  api:\n    build:\n      context: ..\n      dockerfile: deploy/Dockerfile\n"
            },
            "ops/docker-compose.yml: services.api.build",
        ),
        (
            {
                "docker-bake.json": '{"target": {"base": {"context": "."}, "api": {"inherits": ["base"], "dockerfile": "deploy/Dockerfile"}}}'
            },
            "docker-bake.json: target.api",
        ),
        (
            {
                "docker-bake.hcl": 'target "base" {\n  context = "."\n}\ntarget "api" {\n  inherits = ["base"]\n  dockerfile = "deploy/Dockerfile"\n}\n'
            },
            "docker-bake.hcl: target.api",
        ),
        (
            {
                "docker-bake.hcl": 'variable "DIR" {\n  default = "."\n}\ntarget "api" {\n  context = "${DIR}"\n  dockerfile = "deploy/Dockerfile"\n}\n'
            },
            "docker-bake.hcl: target.api",
        ),
        (
            {
                "skaffold.yaml": "build:\n  artifacts:\n  - image: api\n    context: .\n    docker:\n      dockerfile: deploy/Dockerfile\n"
            },
            "skaffold.yaml: build.artifacts[0]",
        ),
        (
            {"Tiltfile": "docker_build('api', '.', dockerfile='deploy/Dockerfile')\n"},
            "Tiltfile: docker_build",
        ),
        (
            {
                ".github/workflows/ci.yml": "jobs:\n  b:\n    steps:\n    - uses: docker/build-push-action@v6\n      with:\n        context: .\n        file: deploy/Dockerfile\n"
            },
            ".github/workflows/ci.yml: docker/build-push-action",
        ),
        (
            {
                ".github/workflows/ci.yml": "jobs:\n  b:\n    steps:\n    - run: docker build -t api -f deploy/Dockerfile .\n"
            },
            ".github/workflows/ci.yml: a run step",
        ),
        (
            {
                "Makefile": "image:\n\tdocker buildx build --platform linux/amd64 -t api -f deploy/Dockerfile .\n"
            },
            "Makefile: a build command",
        ),
        (
            {"scripts/build.sh": "#!/bin/sh\npodman build -f deploy/Dockerfile .\n"},
            "scripts/build.sh: a build command",
        ),
        (
            {
                ".gitlab-ci.yml": "build:\n  script:\n    - docker build --file deploy/Dockerfile .\n"
            },
            ".gitlab-ci.yml: a build command",
        ),
    ],
)
def test_declared_contexts(repo: Path, files: dict[str, str], source: str) -> None:
    choice = declared_source(repo, files)
    assert choice.source == f"declared in {source}"
    assert os.path.abspath(choice.directory) == str(repo)


def test_unresolved_variables_declare_nothing(repo: Path) -> None:
    choice = declared_source(
        repo, {"Makefile": "image:\n\tdocker build -f deploy/Dockerfile $(CONTEXT)\n"}
    )
    assert not choice.source.startswith("declared")


@pytest.mark.parametrize(
    "bake",
    [
        'target "api" {\n  context = "${DIR}"\n  dockerfile = "deploy/Dockerfile"\n}\n',
        'target "api" {\n  context = var.dir\n  dockerfile = "deploy/Dockerfile"\n}\n',
        'target "api" {\n  matrix = { v = ["a"] }\n  name = "api-${v}"\n'
        '  dockerfile = "deploy/Dockerfile"\n}\n',
        'target "api" {\n  context = "."\n',  # does not parse
    ],
    ids=["variable-without-default", "expression", "matrix", "broken"],
)
def test_bake_values_not_known_declare_nothing(repo: Path, bake: str) -> None:
    choice = declared_source(repo, {"docker-bake.hcl": bake})
    assert not choice.source.startswith("declared")


def test_bake_override_and_later_parents_win(repo: Path) -> None:
    from dockerfix.contexts.declarations import declared

    declared.cache_clear()
    make(
        repo,
        {
            "docker-bake.hcl": (
                'target "a" {\n  context = "one"\n}\ntarget "b" {\n  context = "."\n}\n'
                'target "api" {\n  inherits = ["a", "b"]\n  dockerfile = "deploy/Dockerfile"\n}\n'
            ),
            "docker-bake.override.hcl": 'target "api" {\n  dockerfile = "deploy/api.Dockerfile"\n}\n',
        },
    )
    found = {d.dockerfile: d for d in declared(str(repo))}
    api = found[str(repo / "deploy" / "api.Dockerfile")]
    assert api.context == str(repo)
    assert api.source == "docker-bake.hcl: target.api"
    assert str(repo / "deploy" / "Dockerfile") not in found


SEVERAL = {
    "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n",
    "deploy/Makefile": "image:\n\tdocker build -f Dockerfile .\n",
}


def test_several_declared_contexts_leave_none_to_use(repo: Path) -> None:
    choice = declared_source(repo, SEVERAL)
    assert choice.several
    assert choice.source.startswith("several contexts declared, so none is used")
    assert "compose.yaml: services.api.build" in choice.source
    assert "deploy/Makefile" in choice.source


def test_a_dockerfile_built_with_several_contexts_is_fixed_as_without_one(repo: Path) -> None:
    from dockerfix.contexts.declarations import declared

    declared.cache_clear()
    make(repo, SEVERAL)
    code, out, _ = run(["--format", "json", "--exit-zero", "deploy/Dockerfile"], repo)
    assert code == 0
    (entry,) = json.loads(out)["files"]
    assert entry["context_source"].startswith("several contexts declared")
    # no .dockerignore for one of the contexts, and the split keeps the working directory
    assert not entry["files_created"]
    split = next(d for d in entry["diagnostics"] if d["code"] == "DFX001")
    assert any("build context is unknown" in c for c in split.get("caveats", []))


# -- where a new ignore file goes -----------------------------------------------------------

TWO_SERVICES = {
    "compose.yaml": (
        "services:\n"
        "  api:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n"
        "  worker:\n    build:\n      context: .\n      dockerfile: deploy/worker.Dockerfile\n"
    ),
    "deploy/worker.Dockerfile": DEPLOYED,
}


def created(repo: Path, *args: str) -> list[str]:
    from dockerfix.contexts import locate as locatemod
    from dockerfix.contexts.declarations import declared

    declared.cache_clear()
    locatemod._declared_by_context.cache_clear()
    code, out, _ = run(["--format", "json", "--exit-zero", *args], repo)
    assert code == 0
    # paths as shown: relative to the folder the command ran in (the repository)
    return [path for entry in json.loads(out)["files"] for path in entry["files_created"]]


def test_one_dockerfile_of_a_context_gets_the_root_dockerignore(repo: Path) -> None:
    assert created(repo, "deploy/Dockerfile") == [".dockerignore"]


def test_a_shared_context_gets_dockerfile_specific_ignore_files(repo: Path) -> None:
    make(repo, TWO_SERVICES)
    assert created(repo, "deploy") == [
        "deploy/Dockerfile.dockerignore",
        "deploy/worker.Dockerfile.dockerignore",
    ]
    code, _, _ = run(["--write", "deploy"], repo)
    assert code == 0
    text = (repo / "deploy" / "Dockerfile.dockerignore").read_text()
    assert ".git" in text.splitlines()
    assert not (repo / ".dockerignore").exists()
    # now each build reads its own ignore file: nothing more to create
    assert created(repo, "deploy") == []


def test_a_sibling_dockerfile_shares_its_folder_context(tmp_path: Path) -> None:
    make(tmp_path, {"go.mod": GO_MOD, "main.go": MAIN, "Dockerfile": DEPLOYED,
                    "Dockerfile.dev": DEPLOYED})  # fmt: skip
    assert created(tmp_path, "Dockerfile") == ["Dockerfile.dockerignore"]


@pytest.mark.parametrize("existing", [".containerignore", "deploy/Dockerfile.dockerignore"])
def test_an_ignore_file_the_build_reads_is_enough(repo: Path, existing: str) -> None:
    make(repo, {existing: ".git\n"})
    assert created(repo, "deploy/Dockerfile") == []


def test_a_guessed_context_is_a_caveat_of_every_fix(repo: Path) -> None:
    _, out, _ = run(["--format", "json", "--exit-zero", "deploy/Dockerfile"], repo)
    (entry,) = json.loads(out)["files"]
    fixed = [d for d in entry["diagnostics"] if d["fixed"]]
    assert fixed
    assert all(any("is a guess" in c for c in d["caveats"]) for d in fixed)
    declared_source(
        repo,
        {
            "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n"
        },
    )
    _, out, _ = run(["--format", "json", "--exit-zero", "deploy/Dockerfile"], repo)
    (entry,) = json.loads(out)["files"]
    assert not any("is a guess" in c for d in entry["diagnostics"] for c in d["caveats"])


def test_sarif_results_name_the_context(repo: Path) -> None:
    _, out, _ = run(["--format", "sarif", "--exit-zero", "deploy/Dockerfile"], repo)
    results = json.loads(out)["runs"][0]["results"]
    assert results
    assert {r["properties"]["context"] for r in results} == {"."}
    assert all(r["properties"]["context_source"].startswith("guessed") for r in results)


def test_a_bulk_run_reads_the_declarations_once_before_its_workers(repo: Path) -> None:
    from dockerfix.contexts.declarations import declared
    from dockerfix.contexts.locate import read_declarations

    make(repo, TWO_SERVICES)
    declared.cache_clear()
    read_declarations(
        [str(repo / "deploy" / "Dockerfile"), str(repo / "deploy" / "worker.Dockerfile")]
    )
    assert declared.cache_info().currsize == 1  # one repository: read once, kept for the forks
    locate(str(repo / "deploy" / "Dockerfile"), [])
    assert declared.cache_info().hits >= 1
