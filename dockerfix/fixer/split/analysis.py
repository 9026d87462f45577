"""Decide whether and how to split one single-stage Go Dockerfile: ``plan_split``.

The checks run in a fixed order, so the first blocker found is the one reported; each part
lives in its own module (start command, cgo, what the runtime may need, what moves, files,
build arguments).
"""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.fixer.base import RuleContext
from dockerfix.fixer.split.args import needed_args
from dockerfix.fixer.split.candidate import Blocked, Candidate
from dockerfix.fixer.split.cgo import check_cgo
from dockerfix.fixer.split.files import RuntimeFiles, copy_line
from dockerfix.fixer.split.moves import MovedInstructions
from dockerfix.fixer.split.plan import Plan
from dockerfix.fixer.split.runtime_needs import RuntimeNeeds
from dockerfix.fixer.split.start import Start, StartCommand
from dockerfix.fixer.style import exec_form

__all__ = ["plan_split"]


def plan_split(tree: cst.Dockerfile, ctx: RuleContext, stage: cst.Stage) -> Plan:
    """The plan that splits ``stage``, the file's only stage; ``Blocked`` when unsafe."""
    candidate = Candidate(tree, ctx, stage)
    _check_stage(candidate)
    app_builds = [b for b in candidate.builds if not b.remote and not b.compile_only]
    starting = StartCommand(candidate)
    if not app_builds:
        starting.check_go_run()
        raise Blocked(
            candidate.from_,
            "no `go build` (or `go install` of a local package) in the stage, so there "
            "is no binary to copy into a runtime stage (the image may be a toolchain or "
            "development image on purpose); if the build happens in a script or "
            "Makefile, split by hand",
        )
    if not gofacts.is_go_image(candidate.image):
        raise Blocked(
            candidate.from_,
            f"the stage builds Go on {candidate.image or 'an unknown image'}, not on an "
            "official golang image whose layout dockerfix knows; split by hand",
        )
    start = starting.read()
    needs = RuntimeNeeds(candidate)
    outputs = {path for b in app_builds for path in b.outputs or ()}
    needs.check_after_build(outputs)
    build, binary = starting.binary_build(app_builds, start.argv[0], start.anchor)
    check_cgo(candidate, build, app_builds)
    others = _other_binaries(candidate, app_builds, binary)
    for ins in stage.instructions:
        if ins.name == "VOLUME":
            needs.check_volume(ins)
    needs.check_packages_and_dirs()
    cwd = candidate.facts.workdir(None)  # the container's working directory
    moves = MovedInstructions(candidate)
    groups, moved_copies = moves.groups(cwd, start.nodes)
    keep_workdir = bool(moved_copies)
    files = RuntimeFiles(candidate)
    file_copies = files.copies(cwd)
    if file_copies:
        keep_workdir = True
    if candidate.bc is not None and candidate.bc.unresolved_runtime_files:
        keep_workdir = True
        shown = ", ".join(f.path for f in candidate.bc.unresolved_runtime_files[:4])
        candidate.notes.append(
            f"the program also opens {shown} by relative path, which is not in the build "
            "context (created at run time or mounted): the runtime stage keeps the "
            "working directory so those paths resolve the same"
        )
    unfollowed = candidate.bc.unfollowed_reads if candidate.bc is not None else []
    if candidate.bc is None:
        why = "the build context is unknown, so the files the program reads at run time"
        remedy = "run dockerfix with the Dockerfile's path (or --context)"
    else:
        shown = ", ".join(f"`{u}`" for u in unfollowed[:2])
        why = f"the program opens files by a path dockerfix cannot follow ({shown}), so they"
        remedy = "name the path with a literal or a constant"
    whole_workdir = (candidate.bc is None or bool(unfollowed)) and _copies_into(candidate, cwd)
    if candidate.bc is None and not whole_workdir:
        candidate.notes.append(
            "the build context is unknown, but no COPY puts anything in the working "
            f"directory ({cwd}): files the program reads at run time could not be checked"
        )
    if whole_workdir:
        if cwd is None or gofacts.is_system_dir(cwd):
            where = f"the working directory is {cwd}" if cwd else "the working directory is unknown"
            raise Blocked(
                start.anchor,
                f"{why} cannot be checked, and {where}, which the runtime stage cannot take "
                f"whole; {remedy}, or split by hand",
            )
        keep_workdir = True
        candidate.notes.append(
            f"{why} could not be checked: the runtime stage keeps everything the builder has "
            f"in {cwd} (the sources too) so relative paths resolve the same; {remedy} to "
            "copy only what the program needs"
        )
    if keep_workdir and cwd is None:
        raise Blocked(
            start.anchor,
            "the program needs files by relative path but the working directory cannot "
            "be determined; split by hand",
        )
    runtime_dir = cwd if keep_workdir and cwd is not None else "/"
    # several binaries stay where the builder wrote them, so each can still be started by
    # its path (``docker run IMAGE /bin/worker``); so does the binary when the whole
    # working directory is kept: what is in it is not known, and a folder there named
    # like the binary (the repository's ``conflict/`` beside ``cmd/conflict``) would
    # take the binary in instead of being replaced by it
    stays = bool(others) or whole_workdir
    runtime_binary = binary if stays else posixpath.join(runtime_dir, posixpath.basename(binary))
    for ins in (g.instruction for g in groups if g.instruction.name in ("COPY", "ADD")):
        dest = gofacts.resolve(candidate.facts.workdir(ins), ins.args[-1].strip("'\""))
        if dest is not None and (dest == runtime_binary or dest.startswith(runtime_binary + "/")):
            raise Blocked(
                ins,
                f"it copies to {dest}, the binary's place in the runtime stage "
                f"({runtime_binary}); split by hand",
            )
    for src, _ in file_copies:
        for placed in (runtime_binary, *others):
            if placed == src or placed.startswith(src.rstrip("/") + "/"):
                raise Blocked(
                    start.anchor,
                    f"the binary's place in the runtime stage ({placed}) collides "
                    f"with {src}, which the program reads at run time; split by hand",
                )
    if runtime_binary != binary:
        candidate.notes.append(
            f"the binary is {runtime_binary} in the runtime image, not {binary}: a command "
            "that names the old path (compose `command:`, Kubernetes `command:`/`args:`, "
            "`docker run --entrypoint`) must name the new one"
        )
    builder_name = stage.name or "builder"
    lines = _runtime_header(candidate, builder_name, binary, runtime_binary, runtime_dir)
    if whole_workdir:
        assert cwd is not None
        workdir_copy = copy_line(builder_name, cwd, cwd)
        # the binary's own COPY is the header's last line; the folder copy may already hold it
        binary_inside = binary == runtime_binary and binary.startswith(cwd.rstrip("/") + "/")
        lines[-1:] = [workdir_copy] if binary_inside else [workdir_copy, lines[-1]]
    lines += [copy_line(builder_name, other, other) for other in others]
    if whole_workdir:  # what is in the working directory came along with it
        inside = (cwd or "/").rstrip("/") + "/"
        file_copies = [(a, b) for a, b in file_copies if not (a == b and a.startswith(inside))]
    lines += [copy_line(builder_name, src, dst) for src, dst in file_copies]
    lines += [copy_line(builder_name, dst, dst) for dst in files.absolute_copies(cwd)]
    lines += files.system_files(builder_name)
    moves.map_healthchecks(groups, binary, runtime_binary, cwd)
    lines += needed_args(candidate, groups)
    new_start = _start_lines(candidate, start, runtime_binary, keep_cmd=bool(others))
    if others:
        candidate.notes.append(
            f"the stage also builds {', '.join(others)}: copied to the same paths in the "
            "runtime stage, so every binary can still be started by its path"
            + _off_path(candidate, [binary, *others])
        )
    return Plan(
        builder_name=builder_name,
        from_=candidate.from_,
        new_from=_named_from(candidate, builder_name),
        runtime_lines=lines,
        groups=groups,
        start=new_start,
        start_removed=start.nodes,
        notes=candidate.notes,
        binary=binary,
        runtime_binary=runtime_binary,
        runtime_image=candidate.runtime,
    )


def _check_stage(candidate: Candidate) -> None:
    """Block on a runtime image name, builder image or instruction the split cannot handle."""
    if not re.fullmatch(r"[^\s\"'\\`]+", candidate.runtime):
        raise Blocked(
            candidate.from_, f"the runtime image {candidate.runtime!r} is not an image name"
        )
    if gofacts.is_windows_image(candidate.image):
        raise Blocked(
            candidate.from_,
            f"the builder image {candidate.image} is a Windows image and the runtime images "
            "dockerfix uses are Linux-only; split by hand with a Windows runtime image "
            "(e.g. nanoserver)",
        )
    bc = candidate.bc
    if bc is not None and bc.executed_programs:
        shown = ", ".join(bc.executed_programs[:3])
        raise Blocked(
            candidate.from_,
            f"the program runs {shown}; {candidate.runtime} has no programs (not even a "
            "shell) for it to run: split by hand onto a runtime image that has them",
        )
    for ins in candidate.stage.instructions:
        if ins.name == "ONBUILD":
            raise Blocked(
                ins,
                "ONBUILD makes this image a base for other builds, which expect the "
                "toolchain and sources in it; split by hand if it is not used that way",
            )
        if ins.name == "SHELL":
            raise Blocked(
                ins,
                "SHELL changes how later commands run; the runtime image has no shell. "
                "Split by hand",
            )


def _copies_into(candidate: Candidate, cwd: str | None) -> bool:
    """True when a COPY/ADD of the stage may put files in the working directory ``cwd``."""
    if cwd is None:
        return True
    inside = cwd.rstrip("/") + "/"
    for ins in candidate.stage.instructions:
        if ins.name not in ("COPY", "ADD") or len(ins.args) < 2:
            continue
        dest = gofacts.resolve(candidate.facts.workdir(ins), ins.args[-1].strip("'\""))
        if dest is None or "$" in dest:
            return True
        if dest == cwd or dest.startswith(inside) or inside.startswith(dest.rstrip("/") + "/"):
            return True
    return False


#: the ``PATH`` of the runtime images (distroless sets it; Docker gives scratch the same)
_RUNTIME_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _off_path(candidate: Candidate, binaries: list[str]) -> str:
    """A caveat's tail when binaries the builder's ``PATH`` finds by name are off the runtime's."""
    builder_path = candidate.facts.env(None).get("PATH", "").split(":")
    off = [
        b
        for b in binaries
        if posixpath.dirname(b) in builder_path and posixpath.dirname(b) not in _RUNTIME_PATH
    ]
    if not off:
        return ""
    folders = ", ".join(sorted({posixpath.dirname(b) for b in off}))
    example = off[-1]
    return (
        f", but not by name alone: {folders} is not on the runtime image's PATH "
        f"(`docker run IMAGE {posixpath.basename(example)}` becomes "
        f"`docker run IMAGE {example}`)"
    )


def _other_binaries(candidate: Candidate, builds: list[gofacts.GoBuild], shipped: str) -> list[str]:
    """The binaries the stage builds besides ``shipped``; ``Blocked`` when one is unnamed."""
    for b in builds:
        if b.outputs is None:
            raise Blocked(
                b.instruction,
                f"the stage also runs `{candidate.written_command(b)}`, whose binaries "
                "dockerfix cannot name, so the runtime stage could not hold every program "
                "the image can be started with; build each with `-o /path/to/binary`, or "
                "split by hand",
            )
    return sorted({path for b in builds for path in b.outputs or () if path != shipped})


def _start_lines(
    candidate: Candidate, start: Start, runtime_binary: str, *, keep_cmd: bool = False
) -> list[tuple[cst.Instruction | None, tuple[str, str]]]:
    """The runtime stage's exec-form ``ENTRYPOINT`` (and ``CMD``), with what they replace.

    With ``keep_cmd`` (the image holds several programs) a start command given by ``CMD``
    alone stays a ``CMD``, so ``docker run IMAGE /other/binary`` still replaces it.
    """
    entry = [runtime_binary, *start.argv[1:]]
    lines: list[tuple[cst.Instruction | None, tuple[str, str]]] = []
    ep_node = next((n for n in start.nodes if n.name == "ENTRYPOINT"), None)
    cmd_node = next((n for n in start.nodes if n.name == "CMD"), None)
    if keep_cmd and ep_node is None and cmd_node is not None and start.cmd_args is None:
        return [(cmd_node, ("CMD", exec_form(entry)))]
    lines.append((ep_node or cmd_node, ("ENTRYPOINT", exec_form(entry))))
    if start.cmd_args is not None:
        lines.append((cmd_node, ("CMD", exec_form(start.cmd_args))))
    elif ep_node is None and cmd_node is not None:
        candidate.notes.append(
            "the CMD becomes an ENTRYPOINT: arguments given to `docker run IMAGE ...` are "
            "now passed to the program instead of replacing it"
        )
    return lines


def _runtime_header(
    candidate: Candidate, builder: str, binary: str, runtime_binary: str, runtime_dir: str
) -> list[str]:
    """The runtime stage's ``FROM`` (with the builder's ``--platform``), WORKDIR and binary."""
    platform = next(
        (f for f in candidate.from_.parsed.flags if f.lower().startswith("--platform=")), None
    )
    head = "FROM " + (f"{platform} " if platform else "") + candidate.runtime
    return [head, f"WORKDIR {runtime_dir}", copy_line(builder, binary, runtime_binary)]


def _named_from(candidate: Candidate, builder_name: str) -> cst.Instruction:
    """The builder's ``FROM`` with ``AS <builder_name>`` added when the stage has no name."""
    if candidate.stage.name is not None:
        return candidate.from_
    logical = candidate.from_.logical
    end = len(logical.rstrip())
    as_word = "as" if candidate.from_.keyword.islower() else "AS"
    return candidate.from_.replace_span(end, end, f" {as_word} {builder_name}")
