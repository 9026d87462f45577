"""What the ``RUN`` steps of a runtime stage do, for moving it to a minimal image.

Each simple command of a ``RUN`` is one of:

* ``provided``: work a distroless image has already done: installing ``ca-certificates``
  or ``tzdata`` (apk, apt-get/apt, yum/dnf/microdnf), refreshing the package index,
  ``update-ca-certificates``, cleaning the package caches;
* ``user``: creating a user or a group (``adduser``/``addgroup`` in busybox syntax,
  ``useradd``/``groupadd`` in shadow syntax), with the names it creates;
* ``mode``: a ``chmod`` that leaves a Go build's output (mode 0755) as it is (``+x``,
  ``755``), with the paths it names: a no-op when those are the binary;
* ``other``: anything else, which the migration cannot account for.

Only ``&&`` and ``;`` lists of simple commands are read; a pipe, ``||``, a loop, a
substitution or any other shell feature makes the whole script ``other``.
"""

from __future__ import annotations

from dockerfix.facts import shellwords
from dockerfix.record import Record

PROVIDED_PACKAGES = frozenset({"ca-certificates", "ca-certificates-bundle", "tzdata"})
#: Package managers: the subcommands that install packages.
INSTALL = {
    "apk": ("add",),
    "apt-get": ("install",),
    "apt": ("install",),
    "yum": ("install",),
    "dnf": ("install",),
    "microdnf": ("install",),
    "zypper": ("install", "in"),
    "tdnf": ("install",),
}
_INDEX_UPDATES = {("apk", "update"), ("apt-get", "update"), ("apt", "update")}
_CACHE_DIRS = ("/var/cache/apk", "/var/lib/apt/lists", "/var/cache/apt", "/var/cache/yum",
               "/var/cache/dnf", "/tmp")  # fmt: skip
_ALLOWED_FEATURES = frozenset({"`&&` command list", "`;` command separator", "glob `*`"})
_USER_TOOLS = frozenset({"adduser", "addgroup", "useradd", "groupadd"})
#: options of the user tools that take a value (the next word)
_VALUE_OPTIONS = frozenset(
    {"-u", "-g", "-G", "-h", "-s", "-k", "-d", "-c", "-K", "-p", "-e", "-f", "--uid", "--gid",
     "--home", "--home-dir", "--shell", "--gecos", "--comment", "--ingroup", "--groups",
     "--skel", "--key"}
)  # fmt: skip


#: ``chmod`` modes that leave a file of mode 0755 (what ``go build`` writes) unchanged
NOOP_MODES = frozenset(
    {"+x", "a+x", "u+x", "g+x", "o+x", "ugo+x", "+rx", "a+rx", "ugo+rx", "755", "0755"}
)


class Step(Record):
    """One simple command of a runtime stage's ``RUN``: its kind, text, and the names it
    creates (users, groups) or changes (paths)."""

    kind: str  # provided | user | mode | other
    text: str
    names: tuple[str, ...] = ()


def _program(words: list[str]) -> str:
    return words[0].rpartition("/")[2] if words else ""


def _provided(words: list[str]) -> bool:
    program = _program(words)
    if program in INSTALL:
        rest = words[1:]
        verbs = [w for w in rest if not w.startswith("-")]
        if (program, verbs[0] if verbs else "") in _INDEX_UPDATES and len(verbs) == 1:
            return True
        if not verbs or verbs[0] not in INSTALL[program]:
            return False
        packages = verbs[1:]
        return bool(packages) and all(p in PROVIDED_PACKAGES for p in packages)
    if program in ("update-ca-certificates", "true"):
        return True
    if program == "rm":
        paths = [w for w in words[1:] if not w.startswith("-")]
        return bool(paths) and all(p.startswith(_CACHE_DIRS) for p in paths)
    return False


def _created_names(words: list[str]) -> tuple[str, ...]:
    """The user and group names a user tool's command line creates (or adds to)."""
    names: list[str] = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            if word in _VALUE_OPTIONS:
                skip = True
            continue
        names.append(word)
    return tuple(names)


def classify(script: str) -> list[Step]:
    """The steps of one ``RUN`` script (one ``other`` step for a script it cannot read)."""
    shown = " ".join(script.split())
    features = set(shellwords.shell_features(script))
    if features - _ALLOWED_FEATURES:
        return [Step("other", shown)]
    steps: list[Step] = []
    for command in shellwords.simple_commands(script):
        if command.keywords or command.redirects or command.assignments:
            return [Step("other", shown)]
        words = [w.value for w in command.words]
        if any(w is None for w in words) or not words:
            return [Step("other", shown)]
        plain = [w for w in words if w is not None]
        text = " ".join(plain)
        if _program(plain) != "rm" and any(c in w for w in plain for c in "*?["):
            return [Step("other", shown)]  # a glob outside a cache clean-up
        if _provided(plain):
            steps.append(Step("provided", text))
        elif _program(plain) in _USER_TOOLS:
            steps.append(Step("user", text, _created_names(plain)))
        elif (
            _program(plain) == "chmod"
            and len(plain) > 2
            and plain[1] in NOOP_MODES
            and not any(w.startswith("-") for w in plain[2:])
        ):
            steps.append(Step("mode", text, tuple(plain[2:])))
        else:
            steps.append(Step("other", text))
    return steps or [Step("other", shown)]


def installed_packages(script: str) -> list[str] | None:
    """The packages a ``RUN`` script installs with a package manager (``apk add``,
    ``apt-get install`` ...); None when the script cannot be read (shell features beyond
    ``&&`` and ``;`` lists, a variable in a package manager's command line)."""
    features = set(shellwords.shell_features(script))
    if features - _ALLOWED_FEATURES:
        return None if any(m in script for m in INSTALL) else []
    packages: list[str] = []
    for command in shellwords.simple_commands(script):
        words = [w.value for w in command.words]
        program = _program([w for w in words if w is not None][:1])
        if program not in INSTALL:
            continue
        if any(w is None for w in words):
            return None
        rest = [w for w in words[1:] if w is not None]
        verbs = [w for w in rest if not w.startswith("-")]
        if verbs and verbs[0] in INSTALL[program]:
            packages.extend(p.split("=", 1)[0] for p in verbs[1:])
    return packages
