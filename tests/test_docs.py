"""Generated documentation stays in step with the code."""

from __future__ import annotations

import importlib.util

from .conftest import REPO


def test_rules_doc_is_fresh() -> None:
    spec = importlib.util.spec_from_file_location("gen", REPO / "scripts" / "gen_rules_doc.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert current == module.render(), "run python scripts/gen_rules_doc.py"
