"""Every rule: catalogue hygiene, and its VALID/INVALID examples run as tests (Fixit-style)."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.fixer import rules as rules_package
from dockerfix.fixer.api import FixResult
from dockerfix.fixer.base import Invalid, Rule, Valid
from dockerfix.fixer.registry import RULE_MODULES, all_rules, check_catalogue, resolve

RULES = all_rules()


def _examples(kind: str) -> list[tuple[type[Rule], int, Valid | Invalid]]:
    return [
        (rule, i, example)
        for rule in RULES
        for i, example in enumerate(rule.VALID if kind == "valid" else rule.INVALID)
    ]


def _fix(rule: type[Rule], example: Valid | Invalid, tmp_path: Path) -> FixResult:
    path = None
    if example.files:
        for name, content in example.files:
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        path = tmp_path / "Dockerfile"
    options = dict(example.options)
    return dockerfix.fix(example.code, path, select=[rule.code], **options)


def test_catalogue_is_well_formed() -> None:
    assert check_catalogue() == []


def test_every_rule_module_is_listed() -> None:
    folder = Path(rules_package.__file__).parent
    on_disk = sorted(p.stem for p in folder.glob("dfx*.py"))
    assert sorted(RULE_MODULES) == on_disk  # the list is the run order (DFX008 before DFX006)
    assert len(set(RULE_MODULES)) == len(RULE_MODULES)


def test_codes_and_names_resolve() -> None:
    for rule in RULES:
        assert resolve([rule.code]) == {rule.code}
        assert resolve([rule.name]) == {rule.code}
    with pytest.raises(KeyError):
        resolve(["no-such-rule"])


@pytest.mark.parametrize(
    ("rule", "index", "example"), _examples("valid"), ids=lambda v: getattr(v, "code", str(v))[:40]
)
def test_valid_examples_are_left_alone(
    rule: type[Rule], index: int, example: Valid, tmp_path: Path
) -> None:
    result = _fix(rule, example, tmp_path)
    assert result.internal_error is None
    assert result.text == example.code
    assert not [d for d in result.diagnostics if d.fixed]


@pytest.mark.parametrize(
    ("rule", "index", "example"),
    _examples("invalid"),
    ids=lambda v: getattr(v, "code", str(v))[:40],
)
def test_invalid_examples_are_fixed_or_reported(
    rule: type[Rule], index: int, example: Invalid, tmp_path: Path
) -> None:
    result = _fix(rule, example, tmp_path)
    assert result.internal_error is None
    assert result.diagnostics, "an INVALID example must produce a diagnostic"
    assert all(d.code == rule.code for d in result.diagnostics)
    if example.expected is None:
        assert result.text == example.code
        assert not any(d.fixed for d in result.diagnostics)
    else:
        assert result.text == example.expected
        # the fixed text is itself valid for the rule (idempotence)
        fixed = Invalid(example.expected, None, example.files, example.options)
        again = _fix(rule, fixed, tmp_path)
        assert again.text == example.expected
