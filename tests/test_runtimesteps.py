"""What a runtime stage's RUN steps do (``dockerfix.facts.runtimesteps``)."""

from __future__ import annotations

import pytest

from dockerfix.facts.runtimesteps import Step, classify, installed_packages


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "apk --no-cache add ca-certificates tzdata",
            [Step("provided", "apk --no-cache add ca-certificates tzdata")],
        ),
        (
            "apt-get update && apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*",
            ["provided", "provided", "provided"],
        ),
        ("adduser -D -u 1000 app", [Step("user", "adduser -D -u 1000 app", ("app",))]),
        ("chmod +x ./app", [Step("mode", "chmod +x ./app", ("./app",))]),
        (
            "chmod 0755 /usr/bin/a /usr/bin/b",
            [Step("mode", "chmod 0755 /usr/bin/a /usr/bin/b", ("/usr/bin/a", "/usr/bin/b"))],
        ),
        ("chmod 700 /app", ["other"]),  # takes rights away: not a no-op
        ("chmod -R +x /app", ["other"]),
        ("apk add git", ["other"]),
        ("apk add ca-certificates | tee log", ["other"]),  # a pipe: unreadable
    ],
)
def test_classify(script: str, expected: list[object]) -> None:
    steps = classify(script)
    if all(isinstance(e, str) for e in expected):
        assert [s.kind for s in steps] == expected
    else:
        assert steps == expected


def test_installed_packages() -> None:
    assert installed_packages("apk add --no-cache git=2.45 make && true") == ["git", "make"]
    assert installed_packages("apt-get install -y $PKGS") is None
