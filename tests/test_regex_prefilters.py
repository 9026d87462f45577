"""Plain string tests that skip a regex (and its compiling) give the regex's answers."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from dockerfix.facts import gofacts, sources
from dockerfix.fixer.rules import dfx004_binary_not_stripped as dfx004
from dockerfix.fixer.rules import dfx006_runs_as_root as dfx006


def test_ignorecase_letters_of_the_prefilters_match_only_their_ascii_cases() -> None:
    pattern = re.compile(r"[dlve@:/-]", re.IGNORECASE)
    found = {chr(c) for c in range(sys.maxunicode + 1) if pattern.fullmatch(chr(c))}
    assert found == set("dlveDLVE@:/-")


def _texts(*pieces: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=10).map("".join)


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return None if match is None else match.span()


@given(_texts("DLV", "dlv", "DeLvE", "delve", "x", " ", "_", "é", "İ"))
def test_debugger_search(text: str) -> None:
    assert _span(dfx004._find_debugger(text)) == _span(dfx004._debugger_re().search(text))


@given(_texts("git", "GIT", "@", "://", "http", "a", "1", "+", "K", "/"))
def test_url_match(word: str) -> None:
    assert sources._is_url(word) == (sources._url_re().match(word) is not None)


@given(_texts("-", "--", "port", "PORT", "x", "=", "."))
def test_listen_flag_needs_a_dash(word: str) -> None:
    if dfx006._listen_flag_re().match(word):
        assert word.startswith("-")


@given(_texts("apk", "apt", "-get", "micro", "dnf", "yum", "zypper", " add ", "gcc", "x-dev"))
def test_c_toolchain_needs_a_package_manager(text: str) -> None:
    if gofacts._c_toolchain_re().search(text):
        assert any(word in text for word in gofacts._PACKAGE_MANAGERS)
