"""Whether the binary needs cgo, and whether the runtime image has the C library it links."""

from __future__ import annotations

from dockerfix.facts import gofacts, libc
from dockerfix.fixer.base import RuleContext, suppressions_for
from dockerfix.fixer.split.candidate import Blocked, Candidate

__all__ = ["DISTROLESS_CC", "check_cgo"]

DISTROLESS_CC = "gcr.io/distroless/cc-debian13"


def _rule_enabled(ctx: RuleContext, code: str) -> bool:
    options = ctx.options
    if code in options.ignore:
        return False
    return options.select is None or code in options.select


def check_cgo(candidate: Candidate, build: gofacts.GoBuild, builds: list[gofacts.GoBuild]) -> None:
    """Block when the binary of ``build`` may link a C library the runtime image lacks.

    ``builds`` are the stage's application builds; a cgo build on a runtime image with the
    right C library is allowed with a note.
    """
    stage = candidate.stage
    context_reasons = list(candidate.bc.cgo_reasons) if candidate.bc is not None else []
    reasons = gofacts.cgo_reasons(candidate.tree, stage, context_reasons)
    for b in builds:
        cmd = b.command
        for flag in ("race", "msan", "asan"):
            if cmd.has_flag(flag):
                reasons.append(f"`go {cmd.subcommand}` uses -{flag}, which needs cgo")
        mode = cmd.flag("buildmode")
        if mode is not None and (mode.value or "") in ("c-shared", "c-archive", "plugin"):
            reasons.append(f"-buildmode={mode.value} needs cgo")
    ldflags = build.command.ldflags or ""
    fully_static = "-extldflags" in ldflags and "-static" in ldflags.split("-extldflags", 1)[1]
    musl = gofacts.is_musl_image(candidate.image)
    if reasons and not fully_static:
        why = "; ".join(dict.fromkeys(reasons))
        if candidate.static_runtime and not musl and not candidate.scratch:
            choice = libc.glibc_runtime(candidate.tree, [stage], candidate.image,
                                        candidate.runtime, reasons)  # fmt: skip
            if choice.image is not None:
                candidate.runtime = choice.image
                candidate.static_runtime = False
                candidate.notes.append(
                    f"the build needs cgo ({why}), so the binary is linked against glibc: the "
                    f"runtime image is {choice.image}, which has the C library (and libgcc, "
                    "libstdc++)"
                )
                return
            raise Blocked(
                choice.node or candidate.from_,
                f"the build needs cgo ({why}), so the binary links the C library; "
                f"{choice.reason}; split by hand",
            )
        if candidate.static_runtime:
            suggestion = (
                "an alpine runtime image (`--runtime-image alpine:3`), since the builder "
                "links against musl"
                if musl
                else f"`--runtime-image {DISTROLESS_CC}`, which has the C library"
            )
            raise Blocked(
                candidate.from_,
                f"the build needs cgo ({why}), so the binary links the C library and "
                f"cannot run on {candidate.runtime}; rerun with {suggestion}, or split by hand",
            )
        repo = gofacts.image_repository(candidate.runtime)
        glibc_runtime = "distroless/base" in repo or "distroless/cc" in repo
        musl_runtime = repo.rsplit("/", 1)[-1] == "alpine"
        if (musl and not musl_runtime) or (not musl and not glibc_runtime):
            c_library = "musl (alpine)" if musl else "glibc"
            fit = "an alpine image" if musl else f"distroless base/cc ({DISTROLESS_CC})"
            raise Blocked(
                candidate.from_,
                f"the build needs cgo ({why}) and links against {c_library}, which "
                f"{candidate.runtime} may not provide; use {fit} as the runtime image, or "
                "split by hand",
            )
        tag = gofacts.image_tag(candidate.image)
        if "trixie" in tag and "debian12" in repo:
            raise Blocked(
                candidate.from_,
                f"the builder ({candidate.image}) has a newer glibc than {candidate.runtime}; use "
                f"{DISTROLESS_CC} as the runtime image",
            )
        candidate.notes.append(
            f"the build needs cgo ({why}); {candidate.runtime} provides the C library, but not "
            "other shared libraries the program may link"
        )
        return
    if not candidate.static_runtime or fully_static:
        return
    setting = gofacts.cgo_setting(candidate.tree, stage)
    value = setting.strip("'\"") if setting is not None else None
    has_cc = not musl or bool(reasons)
    if value == "0" or not has_cc:
        return
    if value is None:
        suppressed = any(
            "DFX003" in suppressions_for(candidate.tree, node)
            or "cgo-not-disabled" in suppressions_for(candidate.tree, node)
            for node in [candidate.from_, *(b.instruction for b in builds)]
        )
        if _rule_enabled(candidate.ctx, "DFX003") and not suppressed:
            return  # DFX003 sets CGO_ENABLED=0 in the builder
        raise Blocked(
            candidate.from_,
            f"CGO_ENABLED is not set and {candidate.image} has a C compiler, so the binary may "
            f"link the C library and fail on {candidate.runtime}; set CGO_ENABLED=0 (rule "
            "DFX003) first",
        )
    raise Blocked(
        candidate.from_,
        f"CGO_ENABLED is set to `{setting}`, which dockerfix cannot evaluate, and the "
        f"binary may then link the C library and fail on {candidate.runtime}; set "
        "CGO_ENABLED=0 or split by hand",
    )
