"""Unit tests for ``dockerfix.facts.gofacts``: images, stage environment, paths, go builds, cgo."""

from __future__ import annotations

import pytest

import dockerfix
from dockerfix import cst
from dockerfix.facts import gofacts


def _tree(text: str) -> cst.Dockerfile:
    return dockerfix.parse(text)


def _ins(tree: cst.Dockerfile, keyword: str, nth: int = 0) -> cst.Instruction:
    return [i for i in tree.instructions if i.name == keyword][nth]


def _outputs(text: str, module: str | None = None) -> list[str | None]:
    tree = _tree(text)
    return [b.output for b in gofacts.go_builds(tree, module)]


# -- expansion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("$A/x", {"A": "/go"}, "/go/x"),
        ("${A}x", {"A": "a"}, "ax"),
        ("${B:-dflt}", {}, "dflt"),
        ("${B:-dflt}", {"B": ""}, "dflt"),
        ("${B-dflt}", {"B": ""}, ""),
        ("${B:+alt}", {"B": "1"}, "alt"),
        ("${B:+alt}", {}, ""),
        ("$MISSING/x", {}, None),
        ("plain", {}, "plain"),
    ],
)
def test_expand(text: str, env: dict[str, str], expected: str | None) -> None:
    assert gofacts.expand(text, env) == expected


def test_global_args_expand_earlier_ones() -> None:
    tree = _tree('ARG GO=1.22\nARG IMAGE="golang:${GO}-alpine"\nARG NODEFAULT\nFROM $IMAGE\n')
    assert gofacts.global_args(tree) == {"GO": "1.22", "IMAGE": "golang:1.22-alpine"}
    assert gofacts.stage_image(tree, tree.stages[0]) == "golang:1.22-alpine"


def test_stage_image_keeps_unknown_variables() -> None:
    tree = _tree("FROM $BASE\n")
    assert gofacts.stage_image(tree, tree.stages[0]) == "$BASE"


# -- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "repo", "tag"),
    [
        ("golang:1.22-alpine", "golang", "1.22-alpine"),
        ("docker.io/library/golang:1.22@sha256:abc", "docker.io/library/golang", "1.22"),
        ("localhost:5000/golang", "localhost:5000/golang", ""),
        (
            "GCR.io/Distroless/Static-Debian13:nonroot",
            "gcr.io/distroless/static-debian13",
            "nonroot",
        ),
    ],
)
def test_image_repository_and_tag(image: str, repo: str, tag: str) -> None:
    assert gofacts.image_repository(image) == repo
    assert gofacts.image_tag(image) == tag


@pytest.mark.parametrize(
    ("image", "go", "windows", "musl", "static"),
    [
        ("golang:1.22", True, False, False, False),
        ("golang:1.22-alpine3.20", True, False, True, False),
        ("mirror.gcr.io/library/golang:1.22", True, False, False, False),
        ("golang:1.22-windowsservercore-ltsc2022", True, True, False, False),
        ("golang:1.22-nanoserver", True, True, False, False),
        ("alpine:3.20", False, False, True, False),
        ("scratch", False, False, False, True),
        ("gcr.io/distroless/static-debian13", False, False, False, True),
        ("gcr.io/distroless/cc-debian13", False, False, False, False),
        ("golangci/golangci-lint:v1.59", False, False, False, False),
    ],
)
def test_image_kinds(image: str, go: bool, windows: bool, musl: bool, static: bool) -> None:
    assert gofacts.is_go_image(image) is go
    assert gofacts.is_windows_image(image) is windows
    assert gofacts.is_musl_image(image) is musl
    assert gofacts.is_static_runtime(image) is static


def test_goroot_and_image_env() -> None:
    assert gofacts.goroot("golang:1.22-alpine") == "/usr/local/go"
    assert gofacts.goroot("public.ecr.aws/docker/library/golang:1.22") == "/usr/local/go"
    assert gofacts.goroot("cgr.dev/chainguard/go") is None
    assert gofacts.goroot("golang:1.22-windowsservercore") is None
    env = gofacts.image_env("golang:1.22")
    assert env["GOPATH"] == "/go"
    assert env["PATH"].split(":")[:2] == ["/go/bin", "/usr/local/go/bin"]
    assert "GOPATH" not in gofacts.image_env("alpine:3.20")
    assert gofacts.image_env("golang:1.22-nanoserver") == {}


# -- the stage's environment and working directory --------------------------------------------


def test_stage_env_expands_and_orders() -> None:
    tree = _tree(
        "ARG V=1\nFROM golang:1.22\nARG V\nARG OUT=/out\n"
        'ENV BIN=$OUT/bin NAME="my app" LEGACY_UNUSED=x\nENV LEGACY value with spaces\n'
        "ARG BIN=/ignored\nENV REF=$UNKNOWN/x\nRUN true\n"
    )
    stage = tree.stages[0]
    env = gofacts.stage_env(stage, globals_=gofacts.global_args(tree))
    assert env["V"] == "1"  # re-declared global ARG keeps its default
    assert env["BIN"] == "/out/bin"  # expanded against the ARG
    assert env["NAME"] == "my app"
    assert env["LEGACY"] == "value with spaces"
    assert env["BIN"] == "/out/bin"  # a later ARG does not override an ENV
    assert env["REF"] == "$UNKNOWN/x"  # unknown references are kept as written
    # without the global ARGs, a bare re-declaration has no value
    assert "V" not in gofacts.stage_env(stage)
    # upto stops before the instruction
    assert "BIN" not in gofacts.stage_env(stage, _ins(tree, "ENV"))


def test_full_env_includes_image_env() -> None:
    tree = _tree("FROM golang:1.22\nENV GOBIN=$GOPATH/tools\nRUN true\n")
    env = gofacts.full_env(tree, tree.stages[0], None)
    assert env["GOPATH"] == "/go"
    assert env["GOBIN"] == "/go/tools"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM golang:1.22\nRUN true\n", "/go"),
        ("FROM golang:1.22\nWORKDIR /app\nWORKDIR src\nRUN true\n", "/app/src"),
        ("FROM golang:1.22\nWORKDIR $GOPATH/src/ex.com/x\nRUN true\n", "/go/src/ex.com/x"),
        ("FROM golang:1.22\nARG D=/build\nWORKDIR ${D}/x/..\nRUN true\n", "/build"),
        ("FROM golang:1.22\nWORKDIR $NOPE\nRUN true\n", None),
        ("FROM alpine\nRUN true\n", "/"),  # the official image sets no WORKDIR
        ("FROM alpine\nWORKDIR rel\nRUN true\n", "/rel"),
        ("FROM mirror.gcr.io/library/debian:12\nRUN true\n", "/"),
        ("FROM myorg/alpine\nRUN true\n", None),  # not the official image: unknown
        ("FROM scratch\nRUN true\n", "/"),
    ],
)
def test_workdir_at(text: str, expected: str | None) -> None:
    tree = _tree(text)
    stage = tree.stages[0]
    assert gofacts.workdir_at(tree, stage, _ins(tree, "RUN")) == expected


def test_workdir_before_instruction() -> None:
    tree = _tree("FROM golang:1.22\nWORKDIR /a\nRUN true\nWORKDIR /b\n")
    stage = tree.stages[0]
    assert gofacts.workdir_at(tree, stage, _ins(tree, "RUN")) == "/a"
    assert gofacts.workdir_at(tree, stage, None) == "/b"


def test_resolve() -> None:
    assert gofacts.resolve("/app", "bin/../x") == "/app/x"
    assert gofacts.resolve(None, "/abs//x") == "/abs/x"
    assert gofacts.resolve(None, "rel") is None


def test_known_dirs() -> None:
    tree = _tree(
        "FROM golang:1.22\nWORKDIR /src/app\nRUN mkdir -p /out/bin ./tmp\n"
        "COPY cfg/ /etc/app/\nCOPY a b /multi\nCOPY file /single\nRUN true\n"
    )
    dirs = gofacts.known_dirs(tree, tree.stages[0], None)
    for d in ("/src/app", "/src", "/out/bin", "/out", "/src/app/tmp", "/etc/app", "/multi"):
        assert d in dirs
    assert "/single" not in dirs
    assert "/usr/local/bin" in dirs


def test_module_root() -> None:
    tree = _tree(
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY . .\n"
        "WORKDIR /src/cmd/api\nRUN go build\n"
    )
    assert gofacts.module_root(tree, tree.stages[0], _ins(tree, "RUN")) == "/src"
    tree = _tree("FROM golang:1.22\nCOPY go.mod /m/go.mod\nRUN true\n")
    assert gofacts.module_root(tree, tree.stages[0], None) == "/m"
    tree = _tree("FROM golang:1.22\nCOPY --from=x / /\nRUN true\n")
    assert gofacts.module_root(tree, tree.stages[0], None) is None


def test_stage_facts_are_made_once_per_tree_and_agree_with_a_walk() -> None:
    tree = _tree(
        "ARG G=/g\nFROM golang:1.22\nARG G\nENV A=1\nWORKDIR $G/src\nRUN mkdir out\n"
        "COPY go.mod ./\nENV A=$A-2 B=$GOPATH\nWORKDIR sub\nRUN true\n"
    )
    stage = tree.stages[0]
    facts = gofacts.stage_facts(tree, stage)
    assert gofacts.stage_facts(tree, stage) is facts
    for upto in (*stage.instructions, None):
        assert facts.declared(upto) == gofacts.stage_env(stage, upto)
        base = gofacts.image_env("golang:1.22")
        globals_ = gofacts.global_args(tree)
        walked = {**base, **gofacts.stage_env(stage, upto, globals_=globals_, base=base)}
        assert facts.env(upto) == walked
    run = _ins(tree, "RUN", 1)
    assert facts.workdir(run) == "/g/src/sub"
    assert facts.module_root(run) == "/g/src"
    assert facts.has_dir("/g/src/out", run)
    assert not facts.has_dir("/g/src/out", _ins(tree, "RUN"))
    assert facts.env(run)["A"] == "1-2"
    facts.env(run)["A"] = "changed"  # answers are copies
    assert facts.env(run)["A"] == "1-2"
    # an edited tree is a new tree, with facts of its own
    edited = tree.remove(_ins(tree, "WORKDIR", 1))
    assert gofacts.workdir_at(edited, edited.stages[0], None) == "/g/src"
    assert gofacts.workdir_at(tree, stage, None) == "/g/src/sub"


def test_known_dirs_stops_at_a_double_slash_root() -> None:
    tree = _tree("FROM golang:1.22\nWORKDIR //x\nRUN go build -o out .\n")
    assert "//x" in gofacts.known_dirs(tree, tree.stages[0], None)


# -- go builds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "module", "expected"),
    [
        ("WORKDIR /app\nRUN go build -o /bin/server ./cmd/server", None, "/bin/server"),
        ("WORKDIR /app\nRUN go build -o server .", None, "/app/server"),
        ("WORKDIR /app\nRUN go build -o=bin/api ./cmd/api", None, "/app/bin/api"),
        ("WORKDIR /app\nRUN go build -o out/ ./cmd/api", None, "/app/out/api"),
        ("WORKDIR /app\nRUN go build -o /usr/local/bin ./cmd/api", None, "/usr/local/bin/api"),
        ("WORKDIR /app\nRUN mkdir /dist && go build -o /dist ./cmd/api", None, "/dist/api"),
        ("WORKDIR /app\nRUN go build -o . ./cmd/api", None, "/app/api"),
        ("WORKDIR /app\nENV OUT=/srv\nRUN go build -o $OUT/app .", None, "/srv/app"),
        ("WORKDIR /app\nRUN OUT=/x go build -o $OUT .", None, "/x"),
        ("WORKDIR /app\nRUN export OUT=/y && go build -o $OUT/z .", None, "/y/z"),
        ("WORKDIR /app\nRUN go build -o $UNSET .", None, None),
        ('WORKDIR /app\nRUN go build -o "$(go env GOPATH)/bin/x" .', None, None),
        ("WORKDIR /app\nRUN go build .", None, None),
        ("WORKDIR /app\nRUN go build .", "example.com/shop", "/app/shop"),
        ("WORKDIR /app\nRUN go build ./cmd/api", "example.com/shop", "/app/api"),
        ("WORKDIR /app\nRUN go build ./cmd/api", None, "/app/api"),
        ("WORKDIR /app\nRUN go build main.go util.go", None, "/app/main"),
        ("WORKDIR /app\nRUN GOOS=windows go build ./cmd/api", None, "/app/api.exe"),
        ("WORKDIR /app\nRUN go build -C cmd/api -o srv .", None, "/app/cmd/api/srv"),
        ("WORKDIR /src\nCOPY . .\nWORKDIR cmd/t\nRUN go build", "ex.com/m/v2", "/src/cmd/t/t"),
        ("WORKDIR /src\nRUN go build", "example.com/m/v2", "/src/m"),
        ("WORKDIR /app\nRUN go install ./cmd/api", None, "/go/bin/api"),
        ("WORKDIR /app\nRUN go install .", "example.com/shop", "/go/bin/shop"),
        ("WORKDIR /app\nRUN go install ./", None, None),
        ("WORKDIR /app\nENV GOBIN=/opt/bin\nRUN go install ./cmd/api", None, "/opt/bin/api"),
        ("WORKDIR /app\nRUN GOOS=darwin go install ./cmd/api", None, None),
        ("WORKDIR /app\nRUN go install ./...", None, None),
    ],
)
def test_go_build_outputs(body: str, module: str | None, expected: str | None) -> None:
    assert _outputs(f"FROM golang:1.22\n{body}\n", module) == [expected]


#: a module's packages as the build context shows them: directory to "is a main package"
_PACKAGES = {"cmd/api": True, "cmd/worker": True, "internal/store": False, ".": False}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("COPY . .\nRUN go install ./...", ("/go/bin/api", "/go/bin/worker")),
        ("COPY . .\nRUN go install ./cmd/...", ("/go/bin/api", "/go/bin/worker")),
        ("COPY . .\nRUN go install example.com/shop/cmd/...", ("/go/bin/api", "/go/bin/worker")),
        ("COPY . .\nRUN go install ./internal/...", ()),  # libraries only: the build cache
        ("COPY . .\nRUN go install ./internal/store", ()),
        ("COPY . .\nRUN go install ./cmd/api ./cmd/worker", ("/go/bin/api", "/go/bin/worker")),
        ("COPY . .\nRUN go build -o /out/ ./...", ("/out/api", "/out/worker")),
        (
            "COPY . .\nRUN go build -o bin/ ./cmd/api ./cmd/worker",
            ("/src/bin/api", "/src/bin/worker"),
        ),
        ("COPY . .\nRUN go build -o /out/ ./internal/...", None),  # "no main packages": fails
        ("COPY . .\nRUN go build -o /out ./...", ("/out",)),  # one package, or it fails
        ("COPY . .\nWORKDIR cmd\nRUN go install ./...", ("/go/bin/api", "/go/bin/worker")),
        ("COPY . .\nRUN go install ./cmd/api/...", ("/go/bin/api",)),
        ("COPY . .\nRUN go install ./... $EXTRA", None),
        ("COPY . .\nRUN go install ${FLAGS} ./...", None),
        ("COPY . .\nRUN go install ../...", None),  # outside the module
        ("RUN go install ./...", None),  # where the module is in the image is not seen
        ("COPY . .\nRUN go install -tags prod ./...", None),  # the tags decide what is main
    ],
)
def test_outputs_named_from_the_module_packages(
    body: str, expected: tuple[str, ...] | None
) -> None:
    tree = _tree(f"FROM golang:1.22\nWORKDIR /src\n{body}\n")
    (build,) = gofacts.go_builds(tree, "example.com/shop", packages=_PACKAGES)
    assert build.outputs == expected


def test_outputs_of_main_packages_with_one_name_are_unknown() -> None:
    tree = _tree("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install ./...\n")
    packages = {"cmd/server": True, "cmd/server/v2": True}
    (build,) = gofacts.go_builds(tree, "example.com/m", packages=packages)
    assert build.outputs is None


def test_remote_install_and_compile_only() -> None:
    tree = _tree(
        "FROM golang:1.22\nWORKDIR /app\n"
        "RUN go install github.com/air-verse/air@latest\n"
        "RUN go build ./... && go build -o /dev/null . && go build ./a ./b\n"
        "RUN go build -o /app/x . && go build main.go helper.go\n"
    )
    builds = gofacts.go_builds(tree)
    assert [b.remote for b in builds] == [True, False, False, False, False, False]
    assert [b.compile_only for b in builds] == [False, True, True, True, False, False]
    assert builds[0].output == "/go/bin/air"


def test_go_builds_in_heredoc_and_per_stage() -> None:
    tree = _tree(
        "FROM golang:1.22 AS a\nRUN <<EOF\nset -e\ngo build -o /bin/one .\nEOF\n"
        "FROM golang:1.22 AS b\nRUN go build -o /bin/two .\n"
    )
    assert [b.output for b in gofacts.go_builds(tree)] == ["/bin/one", "/bin/two"]
    heredoc = gofacts.go_builds(tree, stage=tree.stages[0])[0]
    assert heredoc.offset == -1
    assert [b.output for b in gofacts.go_builds(tree, stage=tree.stages[1])] == ["/bin/two"]


def test_builds_go() -> None:
    assert gofacts.builds_go(_tree("FROM golang:1.22\nRUN true\n"))
    assert gofacts.builds_go(_tree("FROM alpine\nRUN apk add go && go build -o /x .\n"))
    assert not gofacts.builds_go(_tree("FROM node:22\nRUN npm ci\n"))
    assert not gofacts.builds_go(_tree('FROM alpine\nRUN echo "go build"\n'))


def test_run_scripts() -> None:
    tree = _tree('FROM alpine\nRUN echo hi\nRUN ["go", "build"]\nRUN <<EOF\necho a\nEOF\n')
    runs = [i for i in tree.instructions if i.name == "RUN"]
    text, offset = gofacts.run_scripts(runs[0])[0]
    assert (text, offset) == ("echo hi", 4)
    assert gofacts.run_scripts(runs[1]) == []
    assert gofacts.run_scripts(runs[2])[1] == ("echo a\n", None)


# -- cgo ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("RUN go build .", None),
        ("ENV CGO_ENABLED=0\nRUN go build .", "0"),
        ("ARG CGO_ENABLED=1\nRUN go build .", "1"),
        ("ARG CGO_ENABLED\nRUN go build .", "$CGO_ENABLED"),
        ("RUN CGO_ENABLED=0 go build .", "0"),
        ("RUN export CGO_ENABLED=1 && go build .", "1"),
        ("ENV CGO_ENABLED=1\nRUN CGO_ENABLED=0 go build .", "0"),
    ],
)
def test_cgo_setting(body: str, expected: str | None) -> None:
    tree = _tree(f"FROM golang:1.22\n{body}\n")
    assert gofacts.cgo_setting(tree, tree.stages[0]) == expected


def test_cgo_reasons() -> None:
    tree = _tree(
        "FROM golang:1.22\nRUN apt-get update && apt-get install -y libvips-dev\n"
        "ENV CGO_ENABLED=1\n"
        "RUN go build -ldflags '-linkmode external -extldflags -static' -o /x .\n"
    )
    reasons = gofacts.cgo_reasons(tree, tree.stages[0], ["go.mod requires x"])
    assert reasons[0] == "go.mod requires x"
    assert "the Dockerfile sets CGO_ENABLED=1" in reasons
    assert any("libvips-dev" in r for r in reasons)
    assert any("linkmode" in r for r in reasons)
    clean = _tree("FROM golang:1.22\nRUN apk add --no-cache git\nRUN go build .\n")
    assert gofacts.cgo_reasons(clean, clean.stages[0], []) == []
