"""Shared test fixtures: where the read-only corpus lives, hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
GOLDEN = REPO / "golden"

settings.register_profile(
    "default", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("DOCKERFIX_HYPOTHESIS_PROFILE", "default"))


def corpus_dir() -> Path:
    """The shared corpus; a failure under CI when it is missing, a skip elsewhere."""
    if CORPUS.is_dir():
        return CORPUS
    if os.environ.get("CI"):
        pytest.fail(f"the corpus is missing at {CORPUS} (required when CI is set)")
    pytest.skip(f"the corpus is not available at {CORPUS}")


def corpus_files(*parts: str) -> list[Path]:
    """Dockerfiles under a corpus folder (not manifests, licences, notes or dumps)."""
    if not CORPUS.is_dir():
        return []
    base = CORPUS.joinpath(*parts)
    skip_names = {"MANIFEST.tsv", "README.md", "SOURCE.md", "result", "expected.json"}
    return sorted(
        p
        for p in base.rglob("*")
        if p.is_file()
        and p.name not in skip_names
        and "LICENSES" not in p.parts
        and not p.name.startswith("LICENSE")
        and "results-at-v0.12.5" not in p.parts
    )


@pytest.fixture
def corpus() -> Path:
    """The corpus root (skips or fails when absent, see ``corpus_dir``)."""
    return corpus_dir()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites golden expected files from the current output."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden/ expected files from the current output",
    )
