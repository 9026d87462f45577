"""What reaches a built image (``dockerfix.facts.stagegraph``): targets, copies, shipping."""

from __future__ import annotations

import pytest

import dockerfix
from dockerfix.facts import stagegraph

TOOLS = """\
FROM golang:1.22 AS tools
RUN go install github.com/x/probe@v1
FROM golang:1.22 AS build
RUN go build -o /usr/local/bin/gen ./tools/gen && go build -o /out/server .
FROM build AS test
RUN go test ./...
FROM alpine AS staging
COPY --from=build /out/ /opt/
FROM gcr.io/distroless/static-debian13
COPY --from=tools /go/bin/probe /bin/
COPY --from=staging /opt/server /server
"""


def test_targets_are_the_last_stage_and_the_unused_ones() -> None:
    tree = dockerfix.parse(TOOLS)
    assert [s.name or s.index for s in stagegraph.targets(tree)] == ["test", 4]


@pytest.mark.parametrize(
    ("stage", "path", "where_made", "expected"),
    [
        (1, "/out/server", True, True),  # build -> staging /opt/server -> final /server
        (1, "/usr/local/bin/gen", True, True),  # `test` is built on `build`: a target holds it
        (0, "/go/bin/probe", False, True),  # copied into the final stage
        (0, "/go/bin/other", False, False),
        (1, None, True, True),  # unknown: taken to ship
    ],
)
def test_reaches_a_target(stage: int, path: str | None, where_made: bool, expected: bool) -> None:
    tree = dockerfix.parse(TOOLS)
    got = stagegraph.reaches_a_target(tree, tree.stages[stage], path, where_made=where_made)
    assert got is expected


def test_a_tool_left_in_the_builder_does_not_ship() -> None:
    tree = dockerfix.parse(
        "FROM golang:1.22 AS build\nRUN go build -o /bin/gen ./gen && go build -o /app .\n"
        "FROM scratch\nCOPY --from=build /app /app\n"
    )
    build = tree.stages[0]
    assert not stagegraph.reaches_a_target(tree, build, "/bin/gen")
    assert stagegraph.reaches_a_target(tree, build, "/app")


def test_a_mount_of_the_builder_counts_as_holding_it() -> None:
    tree = dockerfix.parse(
        "FROM golang:1.22 AS build\nRUN go build -o /bin/gen ./gen\n"
        "FROM alpine\nRUN --mount=type=bind,from=build,target=/b cp /b/bin/gen /usr/bin/\n"
    )
    assert stagegraph.reaches_a_target(tree, tree.stages[0], "/bin/gen")


@pytest.mark.parametrize(
    ("copy", "path", "expected"),
    [
        ("COPY --from=b /out/app /app", "/out/app", "/app"),
        ("COPY --from=b out/app /bin/", "/out/app", "/bin/app"),
        ("COPY --from=b /out /dist", "/out/app", "/dist/app"),
        ("COPY --from=b /out/ /dist/", "/out/app", "/dist/app"),
        ("COPY --from=b /a /out/app /x/", "/out/app", "/x/app"),
        ("COPY --from=b / /", "/out/app", "/out/app"),
        ("COPY --from=b /out/app app", "/out/app", "/srv/app"),
        ("COPY --from=b /out/other /app", "/out/app", ""),
        ("COPY --from=b /out/* /bin/", "/out/app", None),
        ("COPY --from=b /out/app $DEST", "/out/app", None),
    ],
)
def test_copied_to(copy: str, path: str, expected: str | None) -> None:
    tree = dockerfix.parse(f"FROM golang:1.22 AS b\nFROM alpine\nWORKDIR /srv\n{copy}\n")
    ins = tree.stages[1].instructions[-1]
    assert stagegraph.copied_to(ins, "/srv", path) == expected
