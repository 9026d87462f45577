"""What the shell steps of a build stage do: the program a command runs, its operands,
whether it writes files, which packages it installs or removes, and the tables of commands
and packages that tell build-only steps from ones the running container may need."""

from __future__ import annotations

import re

from dockerfix.facts import shellwords
from dockerfix.facts.runtimesteps import INSTALL

__all__ = [
    "BINARY_COMMANDS",
    "BUILD_PACKAGES",
    "CA_DIRS",
    "HARMLESS_COMMANDS",
    "INSTALL",
    "REMOVE",
    "REMOVING",
    "SHELLS",
    "basename",
    "operands",
    "package_changes",
    "program",
    "writes_files",
]

# Packages a Go build commonly installs only to build (fetch modules, run make, compress,
# generate code). Anything else installed in the stage may be a program the application runs,
# which a distroless or scratch runtime image cannot provide.
BUILD_PACKAGES = frozenset(
    {
        "git", "git-lfs", "mercurial", "hg", "bzr", "subversion", "openssh", "openssh-client",
        "openssh-client-default", "ssh", "make", "build-base", "build-essential", "gcc", "g++",
        "clang", "musl-dev", "libc-dev", "libc6-dev", "glibc-devel", "binutils", "pkgconf",
        "pkgconfig", "pkg-config", "ca-certificates", "tzdata", "curl", "wget", "bash", "gnupg",
        "unzip", "zip", "tar", "gzip", "xz", "xz-utils", "bzip2", "zstd", "upx", "file", "jq",
        "coreutils", "findutils", "sed", "grep", "gawk", "patch", "protobuf", "protobuf-dev",
        "protoc", "protobuf-compiler", "nodejs", "npm", "yarn", "python3", "apt-utils",
        "apt-transport-https", "software-properties-common", "lsb-release", "dirmngr", "gettext",
    }
)  # fmt: skip

# Commands that may follow the build without changing what the runtime image needs:
# read-only ones, the go tool itself (tests, vet, cleaning the cache), and removals: the
# runtime stage copies named files from the builder, so deleting others cannot matter (and
# deleting one of those would have broken the original image too).
HARMLESS_COMMANDS = frozenset(
    {
        "echo", "printf", "true", ":", "ls", "file", "du", "stat", "test", "[", "sha256sum",
        "sha1sum", "sha512sum", "md5sum", "cat", "wc", "go", "ldd", "rm", "rmdir",
    }
)  # fmt: skip
# Package-manager subcommands that only remove or clean.
REMOVING = frozenset({"del", "remove", "purge", "autoremove", "erase", "clean", "rm"})
# Where the CA tools (update-ca-certificates, update-ca-trust) read certificates from.
CA_DIRS = ("/usr/local/share/ca-certificates", "/etc/pki/ca-trust/source", "/etc/ssl/certs")
# Commands that change only the files they are given: harmless when those are the binary.
BINARY_COMMANDS = frozenset({"chmod", "upx", "strip"})
# Programs that are shells: a start command or health check that runs one needs a shell.
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox", "fish"})

# Package managers: the subcommands that install (facts.runtimesteps) and that remove.
REMOVE = {
    "apk": ("del",),
    "apt-get": ("remove", "purge", "autoremove"),
    "apt": ("remove", "purge", "autoremove"),
    "yum": ("remove", "erase"),
    "dnf": ("remove", "erase"),
    "microdnf": ("remove",),
    "zypper": ("remove", "rm"),
    "tdnf": ("remove", "erase"),
}
# Package-manager options that take a separate value.
_VALUE_OPTIONS = frozenset(
    {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "-o", "--option",
     "--target-release", "--setopt", "--enablerepo", "--disablerepo", "--releasever",
     "--installroot", "-c", "--config"}
)  # fmt: skip


def basename(word: str) -> str:
    """The last component of a path, ignoring trailing slashes (``/usr/bin/`` -> ``bin``)."""
    return word.rstrip("/").rsplit("/", 1)[-1]


def program(cmd: shellwords.SimpleCommand) -> str | None:
    """The program a simple command runs (``env``/``exec``/``sudo`` wrappers skipped)."""
    words = [w.value for w in cmd.words]
    i = 0
    while i < len(words):
        word = words[i]
        if word is None:
            return None
        base = basename(word)
        if base in ("exec", "command", "sudo", "nice", "nohup", "time"):
            i += 1
            while i < len(words) and (words[i] or "").startswith("-"):
                i += 1
            continue
        if base == "env":
            i += 1
            while i < len(words) and ((words[i] or "").startswith("-") or "=" in (words[i] or "")):
                i += 1
            continue
        return base
    return None


def operands(cmd: shellwords.SimpleCommand) -> list[str | None]:
    """The words after the command name that are not options (None: an expansion)."""
    values = [w.value for w in cmd.words[1:]]
    return [v for v in values if v is None or not v.startswith("-")]


def writes_files(cmd: shellwords.SimpleCommand) -> bool:
    """True when the command redirects output into a file (not /dev/null or a descriptor)."""
    for redirect in cmd.redirects:
        op = redirect.op.op
        if op not in (">", ">>", ">|", "&>", "&>>", "<>"):
            continue
        target = redirect.target.value if redirect.target is not None else None
        if target is None or target != "/dev/null":
            return True
    return False


def package_changes(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``(package, group)`` installed and names removed by the package commands of ``text``."""
    installed: list[tuple[str, str]] = []
    removed: list[str] = []
    for cmd in shellwords.simple_commands(text):
        words = [w.value for w in cmd.words]
        if not words or words[0] is None:
            continue
        tool = basename(words[0])
        if tool in ("sudo",) and len(words) > 1 and words[1] is not None:
            words = words[1:]
            tool = basename(words[0] or "")
        if tool not in INSTALL:
            continue
        sub: str | None = None
        group = ""
        names: list[str] = []
        rest = words[1:]
        i = 0
        while i < len(rest):
            word = rest[i]
            i += 1
            if word is None:
                continue
            if word.startswith("-"):
                if word in _VALUE_OPTIONS and i < len(rest):
                    if word in ("-t", "--virtual"):
                        group = rest[i] or ""
                    i += 1
                continue
            if sub is None:
                sub = word
            else:
                names.append(re.split(r"[=<>~]", word, maxsplit=1)[0])
        if sub is None:
            continue
        if sub in INSTALL[tool]:
            installed.extend((n, group) for n in names)
        elif sub in REMOVE.get(tool, ()):
            removed.extend(names)
    return installed, removed
