"""Shell text as words: features an exec-form command cannot reproduce, splitting, quoting."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dockerfix.facts.shellwords import (
    SHELL_BUILTINS,
    HereDoc,
    Word,
    quote_word,
    script_heredocs,
    shell_features,
    simple_commands,
    split_words,
    tokenize,
)

# --------------------------------------------------------------------------- features

FEATURES = [
    ("./server --port 8080", []),
    ("echo $PORT", ["variable expansion `$PORT`"]),
    ('echo "$PORT"', ["variable expansion `$PORT`"]),
    ("echo '$PORT'", []),
    ("echo \\$PORT", []),
    ('echo "\\$PORT"', []),
    ("echo ${PORT:-8080}", ["variable expansion `${PORT:-8080}`"]),
    ("echo $1 $@", ["variable expansion `$1`", "variable expansion `$@`"]),
    ("echo $", []),
    ("echo a$ b", []),
    ("a && b", ["`&&` command list"]),
    ("a || b", ["`||` command list"]),
    ("a | b", ["pipe `|`"]),
    ("a; b", ["`;` command separator"]),
    ("a &", ["background `&`"]),
    ("a > out", ["redirection `>`"]),
    ("a >> out", ["redirection `>>`"]),
    ("a < in", ["redirection `<`"]),
    ("a 2>&1", ["redirection `2>&1`"]),
    ("a 2>/dev/null", ["redirection `2>`"]),
    ("ls *.go", ["glob `*`"]),
    ("ls file?.txt", ["glob `?`"]),
    ("ls [ab].txt", ["glob `[...]`"]),
    ("ls '*.go'", []),
    ('ls "*.go"', []),
    ("ls \\*.go", []),
    ("echo $(date)", ["command substitution `$(date)`"]),
    ("echo `date`", ["command substitution (backquotes)"]),
    ("echo $((1 + 2))", ["arithmetic expansion `$((1 + 2))`"]),
    ("(cd x)", ["subshell `( … )`", "shell builtin `cd`"]),
    ("echo ~/x", ["tilde expansion `~`"]),
    ("echo '~/x'", []),
    ("echo a~b", []),
    ("./app # a comment", ["comment `#`"]),
    ("./app a#b", []),
    ("./app '#x'", []),
    ("cat <<EOF\nhi\nEOF", ["here-document `<<EOF`"]),
    ("cat <<-'EOF'\n\thi\n\tEOF", ["here-document `<<-'EOF'`"]),
    ("cat <<< hi", ["here-string `<<<`"]),
    ("PORT=1 ./app", ["variable assignment `PORT=1`"]),
    ("./app PORT=1", []),
    ("./app --opt=value", []),
    (
        "if true; then x; fi",
        [
            "shell keyword `if`",
            "`;` command separator",
            "shell keyword `then`",
            "shell keyword `fi`",
        ],
    ),
    ("! false", ["shell keyword `!`"]),
    ("cd /app", ["shell builtin `cd`"]),
    ("export A=1", ["shell builtin `export`"]),
    ("source env.sh", ["shell builtin `source`"]),
    (". env.sh", ["shell builtin `.`"]),
    ("exec ./app --port 1", []),
    ("exec", ["shell builtin `exec`"]),
    ("echo {a,b}", ["brace expansion `{a,b}`"]),
    ("echo {1..3}", ["brace expansion `{1..3}`"]),
    ("echo '{a,b}'", []),
    ("echo {}", []),
    ("echo $'a\\tb'", ["ANSI-C quoting `$'a\\tb'`"]),
    ('echo $"hello"', ['locale quoting `$"hello"`']),
    ("a\nb", ["newline command separator"]),
    ("a\n", []),
    ("\n\na", []),
    ("a \\\n  b", []),
    ("a \\\n  # dropped by BuildKit\n  b", []),
    ("a \\\r\n  b", []),
]


@pytest.mark.parametrize(("text", "expected"), FEATURES)
def test_shell_features(text: str, expected: list[str]) -> None:
    assert shell_features(text) == expected


def test_features_are_deduplicated_in_order() -> None:
    assert shell_features("a && b && c | d") == ["`&&` command list", "pipe `|`"]


# --------------------------------------------------------------------------- splitting

SPLITS: list[tuple[str, list[str] | None]] = [
    ("", []),
    ("   ", []),
    ("./server", ["./server"]),
    ("./server --port 8080", ["./server", "--port", "8080"]),
    ("a  \t b", ["a", "b"]),
    ("'a b' c", ["a b", "c"]),
    ('"a b" c', ["a b", "c"]),
    ("a'b'\"c\"d", ["abcd"]),
    ("''", [""]),
    ('""', [""]),
    ("a\\ b", ["a b"]),
    ("a\\\\b", ["a\\b"]),
    ('"a\\nb"', ["a\\nb"]),
    ('"a\\$b"', ["a$b"]),
    ('"a\\"b"', ['a"b']),
    ('"a\\\\b"', ["a\\b"]),
    ('"a\\`b"', ["a`b"]),
    ("'a\\nb'", ["a\\nb"]),
    ("'a\\'", ["a\\"]),
    ("a \\\n b", ["a", "b"]),
    ("a\\\nb", ["ab"]),
    ('"a\\\nb"', ["ab"]),
    ("'a\nb'", ["a\nb"]),
    ("a\\", ["a\\"]),
    ("\\#a", ["#a"]),
    ("a$", ["a$"]),
    ("--json='{\"a\": 1}'", ['--json={"a": 1}']),
    ("'unbalanced", None),
    ('"unbalanced', None),
    ("echo $X", None),
    ("a && b", None),
    ("a | b", None),
    ("cd /x", None),
    ("A=1 b", None),
    ("*.go", None),
    ("exec ./app", ["exec", "./app"]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_split_words(text: str, expected: list[str] | None) -> None:
    assert split_words(text) == expected


def test_backslash_dollar_in_double_quotes_differs_from_shlex() -> None:
    # POSIX: inside double quotes a backslash before "$" is removed; shlex keeps it.
    assert shlex.split('"\\$HOME"') == ["\\$HOME"]
    assert split_words('"\\$HOME"') == ["$HOME"]


# --------------------------------------------------------------------------- quoting

QUOTES = [
    ("abc", "abc"),
    ("./server", "./server"),
    ("--port=8080", "--port=8080"),
    ("a@b:c,d%e+f", "a@b:c,d%e+f"),
    ("", "''"),
    ("a b", "'a b'"),
    ("$HOME", "'$HOME'"),
    ("*", "'*'"),
    ("~", "'~'"),
    ("#x", "'#x'"),
    ("if", "'if'"),
    ("{", "'{'"),
    ("A=1", "'A=1'"),
    ("it's", '"it\'s"'),
    ("it's $x", '"it\'s \\$x"'),
    ('a"b', "'a\"b'"),
]


@pytest.mark.parametrize(("word", "expected"), QUOTES)
def test_quote_word(word: str, expected: str) -> None:
    assert quote_word(word) == expected
    assert split_words(expected) == [word]


# --------------------------------------------------------------------------- structure


def test_word_spans_and_segments() -> None:
    text = "go build -ldflags '-w -s' -o=\"$OUT\""
    words = [t for t in tokenize(text).tokens if isinstance(t, Word)]
    assert [w.raw for w in words] == ["go", "build", "-ldflags", "'-w -s'", '-o="$OUT"']
    assert all(text[w.start : w.end] == w.raw for w in words)
    assert words[3].text == "-w -s"
    assert words[3].value == "-w -s"
    assert words[4].text == "-o=$OUT"
    assert words[4].value is None
    assert words[4].dynamic
    # source_index maps a text index back into the source
    assert text[words[4].source_index(3)] == "$"


def test_simple_commands_look_through_lists_and_compounds() -> None:
    text = "set -e; if [ -f x ]; then CGO=0 go build -o /a . 2>&1 | tee log; fi && echo ok"
    cmds = simple_commands(text)
    heads = [(c.words[0].text if c.words else None) for c in cmds]
    assert heads == ["set", "[", "go", "tee", "echo"]
    go = cmds[2]
    assert [a.text for a in go.assignments] == ["CGO=0"]
    assert [r.op.display for r in go.redirects] == ["2>&"]
    assert text[go.start : go.end] == "CGO=0 go build -o /a . 2>&1"


def test_simple_commands_skip_for_and_case_headers() -> None:
    text = "for p in a b; do go build ./$p; done; case $X in a|b) echo one ;; *) echo two ;; esac"
    heads = [c.words[0].text for c in simple_commands(text) if c.words]
    assert heads == ["go", "echo", "echo"]


def test_heredoc_body_is_a_script_for_run_heredoc_and_sh() -> None:
    text = "<<EOF\ngo build .\nEOF\n"
    [cmd] = simple_commands(text)
    [doc] = script_heredocs(cmd)
    assert isinstance(doc, HereDoc)
    assert text[doc.body_start : doc.body_end] == "go build .\n"
    assert doc.terminated
    [cmd2] = simple_commands("bash -e <<'X'\necho\nX")
    assert len(script_heredocs(cmd2)) == 1
    [cmd3] = simple_commands("cat <<EOF\nx\nEOF")
    assert script_heredocs(cmd3) == ()
    [cmd4] = simple_commands("python3 <<EOF\nprint(1)\nEOF")
    assert script_heredocs(cmd4) == ()


def test_unterminated_heredoc_runs_to_the_end() -> None:
    [doc] = [t for t in tokenize("cat <<EOF\nabc").tokens if isinstance(t, HereDoc)]
    assert not doc.terminated
    assert doc.body_end == len("cat <<EOF\nabc")


def test_tokenize_reports_unbalanced_quoting() -> None:
    assert tokenize("echo 'x").error == "unterminated single quote"
    assert tokenize('echo "x').error == "unterminated double quote"
    assert tokenize("echo $(x").error == "unterminated command substitution"
    assert tokenize("echo ${x").error == "unterminated ${...} expansion"
    assert tokenize("echo `x").error == "unterminated backquote"
    assert tokenize("echo ok").error is None


def test_nested_substitutions() -> None:
    text = 'echo "$(printf "%s)" "$(date)")" done'
    words = [t for t in tokenize(text).tokens if isinstance(t, Word)]
    assert [w.raw for w in words] == ["echo", '"$(printf "%s)" "$(date)")"', "done"]


# --------------------------------------------------------------------------- properties

_word_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=12,
)


@given(st.text(max_size=80))
def test_never_raises(text: str) -> None:
    shell_features(text)
    split_words(text)
    simple_commands(text)


@given(st.text(alphabet="ab $'\"\\`|&;<>()#*?[]{}~=\n\t-", max_size=40))
def test_never_raises_on_shell_soup(text: str) -> None:
    features = shell_features(text)
    words = split_words(text)
    if words is not None:
        assert features == []
    lexed = tokenize(text)
    for tok in lexed.tokens:
        assert 0 <= tok.start <= tok.end <= len(text)


@given(st.lists(_word_text, max_size=6))
def test_quote_then_split_round_trips(words: list[str]) -> None:
    assume(not words or words[0] not in SHELL_BUILTINS)  # builtins need a shell, by design
    assert split_words(" ".join(quote_word(w) for w in words)) == words


@given(_word_text)
def test_quote_word_is_one_word(word: str) -> None:
    assume(word not in SHELL_BUILTINS)
    assert split_words(quote_word(word)) == [word]
