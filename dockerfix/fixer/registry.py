"""The rule catalogue: every rule class, in the order the pipeline runs them."""

from __future__ import annotations

import functools
import re
import sys

from dockerfix.fixer.base import Rule

#: The modules of ``dockerfix.fixer.rules``, listed rather than discovered: ``pkgutil``
#: would import ``inspect`` (~7 ms on every editor save). A test checks the list against
#: the package's files. Codes ``DFX0xx`` are the default rules, ``DFX1xx`` the opt-in
#: ones (``check_catalogue`` holds it), so a default run imports no opt-in module.
RULE_MODULES = (
    "dfx001_single_stage_go_build",
    "dfx002_go_mod_copied_with_source",
    "dfx003_cgo_not_disabled",
    "dfx004_binary_not_stripped",
    "dfx005_shell_form_entrypoint",
    "dfx008_runtime_image_not_minimal",  # before DFX006: the stage it leaves gets the USER
    "dfx006_runs_as_root",
    "dfx007_missing_dockerignore",
    "dfx101_go_build_cache_not_mounted",
    "dfx102_build_without_trimpath",
    "dfx103_build_forces_rebuild",
    "dfx104_builder_not_cross_compiling",
)


def all_rules() -> list[type[Rule]]:
    """Every rule class in the modules of ``RULE_MODULES``, sorted by code."""
    return _rules_in(RULE_MODULES)


def _rules_in(modules: tuple[str, ...]) -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for name in modules:
        qualified = f"dockerfix.fixer.rules.{name}"
        __import__(qualified)  # not importlib.import_module: importlib imports warnings (~1 ms)
        module = sys.modules[qualified]
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda r: r.code)


def resolve(names: list[str] | frozenset[str] | set[str]) -> set[str]:
    """Rule codes for a list of codes, names or code prefixes (``DFX``, ``DFX00``)."""
    rules = all_rules()
    codes: set[str] = set()
    for raw in names:
        key = raw.strip()
        if not key:
            continue
        matched = [r.code for r in rules if r.code == key.upper() or r.name == key.lower()]
        if not matched:
            matched = [r.code for r in rules if r.code.startswith(key.upper())]
        if not matched:
            raise KeyError(key)
        codes.update(matched)
    return codes


def selected_rules(select: frozenset[str] | None, ignore: frozenset[str]) -> list[Rule]:
    """Instances of the selected rules: the default ones unless ``select`` names others."""
    chosen = resolve(select) if select is not None else None
    dropped = resolve(ignore) if ignore else set()
    if chosen is None:
        candidates = _rules_in(tuple(m for m in RULE_MODULES if m.startswith("dfx0")))
    else:
        candidates = all_rules()
    out: list[Rule] = []
    for cls in candidates:
        wanted = cls.default if chosen is None else cls.code in chosen
        if wanted and cls.code not in dropped:
            out.append(cls())
    return out


@functools.cache
def _code_re() -> re.Pattern[str]:
    """A rule code (only ``check_catalogue`` asks: compiled on first use)."""
    return re.compile(r"^DFX\d{3}$")


@functools.cache
def _name_re() -> re.Pattern[str]:
    """A rule name in kebab-case (only ``check_catalogue`` asks)."""
    return re.compile(r"^[a-z]+(-[a-z0-9]+)*$")


def check_catalogue() -> list[str]:
    """Problems with the catalogue (codes, names, docs), for tests."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for cls in all_rules():
        if not _code_re().match(cls.code):
            problems.append(f"{cls.__name__}: bad code {cls.code!r}")
        if not _name_re().match(cls.name):
            problems.append(f"{cls.__name__}: name {cls.name!r} is not kebab-case")
        if cls.default != cls.code.startswith("DFX0"):
            problems.append(f"{cls.code}: DFX0xx codes are the default rules, DFX1xx opt-in")
        if cls.code in seen:
            problems.append(f"{cls.code} used by {seen[cls.code]} and {cls.__name__}")
        seen[cls.code] = cls.__name__
        doc = cls.documentation()
        for section in ("## What it does", "## Why", "## Fix safety", "## Example"):
            if section not in doc:
                problems.append(f"{cls.code}: documentation lacks {section!r}")
        if not cls.VALID or not cls.INVALID:
            problems.append(f"{cls.code}: needs at least one VALID and one INVALID example")
    return problems
