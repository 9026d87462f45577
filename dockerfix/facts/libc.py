"""Where a Go binary linked against glibc can run: the ``cc`` variant of distroless.

A binary built with cgo on a Debian golang image needs a C library at least as new as the
builder's: the configured release when it is as new (``-debian13`` serves ``bookworm`` and
``trixie`` builds), the builder's when that is newer (``trixie`` with ``-debian12``
configured gets ``-debian13``); a tag that names no release needs the newest. It needs
nothing more when the builder installs no library (``lib*``, ``*-dev``) and the cgo comes
from the toolchain's default or from modules that compile the C code they wrap into the
binary (mattn/go-sqlite3 ...). ``cc`` has glibc, libgcc and libstdc++.
"""

from __future__ import annotations

import re

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.facts.runtimesteps import installed_packages
from dockerfix.record import Record

#: Debian releases by the name in an image tag
_RELEASES = {"buster": 10, "bullseye": 11, "bookworm": 12, "trixie": 13}
#: what a Go builder may install without the binary linking a library distroless lacks
_BUILD_TOOLS = frozenset(
    {"gcc", "g++", "build-essential", "make", "libc6-dev", "libc-dev", "linux-libc-dev",
     "pkg-config", "pkgconf", "git", "ca-certificates", "curl", "wget", "tzdata", "binutils",
     "upx", "upx-ucl", "unzip", "xz-utils", "gnupg", "openssh-client", "bash", "jq", "file"}
)  # fmt: skip
#: modules that compile the C code they wrap into the binary: glibc (and libstdc++) is all
#: their binaries need
_BUNDLING = (
    "github.com/mattn/go-sqlite3",
    "gorm.io/driver/sqlite",
    "github.com/mutecomm/go-sqlcipher",
    "github.com/xeodou/go-sqlcipher",
    "github.com/marcboeker/go-duckdb",
    "github.com/duckdb/duckdb-go",
    "github.com/DataDog/zstd",
    "github.com/valyala/gozstd",
)


class GlibcChoice(Record):
    """The runtime image for a glibc binary, or why there is none (and at which step)."""

    image: str | None
    reason: str = ""
    node: cst.Instruction | None = None


def glibc_runtime(
    tree: cst.Dockerfile,
    chain: list[cst.Stage],
    builder: str,
    target: str,
    reasons: list[str],
) -> GlibcChoice:
    """The distroless image with glibc for a binary the Debian builder ``builder`` (its
    stages ``chain``) linked against it, given the configured ``target``
    (``static-debianNN`` becomes ``cc-debianNN``) and why the build uses cgo (``reasons``);
    no image when the binary may need more than glibc, libgcc and libstdc++."""
    found = re.search(r"distroless/(static|base|base-nossl|cc)-debian(\d+)", target)
    if found is None:
        return GlibcChoice(
            None,
            f"the binary may be linked against glibc (cgo is on for its build), and {target} "
            "is not a distroless image whose C library dockerfix knows",
        )
    release = int(found.group(2))
    tag = gofacts.image_tag(builder)
    built = next((n for name, n in _RELEASES.items() if name in tag), None)
    if built is not None and built > release:
        # never an older C library than the builder's (a trixie build needs glibc 2.41);
        # a newer one runs what an older release built (the configured debian13 serves a
        # bookworm build: distroless's Debian 12 images are past their end of life)
        release = built
        target = target[: found.start(2)] + str(release) + target[found.end(2) :]
    if (built or 13) > release:
        made = f"Debian {built}" if built else "a Debian release its tag does not name"
        return GlibcChoice(
            None,
            f"the binary is linked against the glibc of {made} ({builder}), which may be "
            f"newer than debian{release}'s; use a newer runtime image or CGO_ENABLED=0",
        )
    for st in chain:
        for ins in st.instructions:
            for text, _ in gofacts.run_scripts(ins):
                packages = installed_packages(text)
                if packages is None:
                    return GlibcChoice(
                        None,
                        "what this step installs cannot be read, and the binary (cgo on) "
                        "may link it; distroless has only the C library",
                        ins,
                    )
                libs = [
                    p for p in packages
                    if p not in _BUILD_TOOLS and (p.startswith("lib") or p.endswith("-dev"))
                ]  # fmt: skip
                if libs:
                    return GlibcChoice(
                        None,
                        f"the builder installs {libs[0]}, which the binary (cgo on) may link; "
                        "distroless has only the C library",
                        ins,
                    )
    for reason in reasons:
        if "requires" in reason or "imports" in reason or "lists" in reason:
            if not any(module in reason for module in _BUNDLING):
                return GlibcChoice(
                    None,
                    f"the build needs cgo ({reason}), and the library it wraps is not in "
                    "distroless",
                )
        elif 'import "C"' in reason:
            return GlibcChoice(
                None,
                f"the build needs cgo ({reason}): the libraries that code links are not "
                "known, and distroless has only the C library",
            )
    if found.group(1) == "static":
        return GlibcChoice(target.replace("distroless/static-", "distroless/cc-", 1))
    return GlibcChoice(target)
