"""Decide whether and how to split one single-stage Go Dockerfile: ``plan_split``.

The checks run in a fixed order, so the first blocker found is the one reported; each part
lives in its own module (start command, cgo, what the runtime may need, what moves, files,
build arguments).
"""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.fixer import gofacts
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
    c = Candidate(tree, ctx, stage)
    _check_stage(c)
    app_builds = [b for b in c.builds if not b.remote and not b.compile_only]
    starting = StartCommand(c)
    if not app_builds:
        starting.check_go_run()
        raise Blocked(
            c.from_,
            "no `go build` (or `go install` of a local package) in the stage, so there "
            "is no binary to copy into a runtime stage (the image may be a toolchain or "
            "development image on purpose); if the build happens in a script or "
            "Makefile, split by hand",
        )
    if not gofacts.is_go_image(c.image):
        raise Blocked(
            c.from_,
            f"the stage builds Go on {c.image or 'an unknown image'}, not on an "
            "official golang image whose layout dockerfix knows; split by hand",
        )
    start = starting.read()
    needs = RuntimeNeeds(c)
    outputs = {b.output for b in app_builds if b.output is not None}
    needs.check_after_build(outputs)
    build = starting.binary_build(app_builds, start.argv[0], start.anchor)
    assert build.output is not None
    binary = build.output
    check_cgo(c, build, app_builds)
    for ins in stage.instructions:
        if ins.name == "VOLUME":
            needs.check_volume(ins)
    needs.check_packages_and_dirs()
    cwd = c.workdir_at(None)  # the container's working directory
    moves = MovedInstructions(c)
    groups, moved_copies = moves.groups(cwd, start.nodes)
    keep_workdir = bool(moved_copies)
    files = RuntimeFiles(c)
    file_copies = files.copies(cwd)
    if file_copies:
        keep_workdir = True
    if c.bc is not None and c.bc.unresolved_runtime_files:
        keep_workdir = True
        shown = ", ".join(f.path for f in c.bc.unresolved_runtime_files[:4])
        c.notes.append(
            f"the program also opens {shown} by relative path, which is not in the build "
            "context (created at run time or mounted): the runtime stage keeps the "
            "working directory so those paths resolve the same"
        )
    if keep_workdir and cwd is None:
        raise Blocked(
            start.anchor,
            "the program needs files by relative path but the working directory cannot "
            "be determined; split by hand",
        )
    runtime_dir = cwd if keep_workdir and cwd is not None else "/"
    name = posixpath.basename(binary)
    runtime_binary = posixpath.join(runtime_dir, name)
    for src, _ in file_copies:
        if runtime_binary == src or runtime_binary.startswith(src.rstrip("/") + "/"):
            raise Blocked(
                start.anchor,
                f"the binary's place in the runtime stage ({runtime_binary}) collides "
                f"with {src}, which the program reads at run time; split by hand",
            )
    builder_name = stage.name or "builder"
    lines = _runtime_header(c, builder_name, binary, runtime_binary, runtime_dir)
    lines += [copy_line(builder_name, src, dst) for src, dst in file_copies]
    lines += files.system_files(builder_name)
    moves.map_healthchecks(groups, binary, runtime_binary, cwd)
    lines += needed_args(c, groups)
    new_start = _start_lines(c, start, runtime_binary)
    others = sorted({b.output for b in app_builds if b.output and b.output != binary})
    if others:
        c.notes.append(
            f"the stage also builds {', '.join(others)}; only {binary}, which the "
            "container starts, is copied"
        )
    return Plan(
        builder_name=builder_name,
        from_=c.from_,
        new_from=_named_from(c, builder_name),
        runtime_lines=lines,
        groups=groups,
        start=new_start,
        start_removed=start.nodes,
        notes=c.notes,
        binary=binary,
        runtime_binary=runtime_binary,
    )


def _check_stage(c: Candidate) -> None:
    """Block on a runtime image name, builder image or instruction the split cannot handle."""
    if not re.fullmatch(r"[^\s\"'\\`]+", c.runtime):
        raise Blocked(c.from_, f"the runtime image {c.runtime!r} is not an image name")
    if gofacts.is_windows_image(c.image):
        raise Blocked(
            c.from_,
            f"the builder image {c.image} is a Windows image and the runtime images "
            "dockerfix uses are Linux-only; split by hand with a Windows runtime image "
            "(e.g. nanoserver)",
        )
    for ins in c.stage.instructions:
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


def _start_lines(
    c: Candidate, start: Start, runtime_binary: str
) -> list[tuple[cst.Instruction | None, list[str]]]:
    """The runtime stage's exec-form ``ENTRYPOINT`` (and ``CMD``), with what they replace."""
    entry = [runtime_binary, *start.argv[1:]]
    lines: list[tuple[cst.Instruction | None, list[str]]] = []
    ep_node = next((n for n in start.nodes if n.name == "ENTRYPOINT"), None)
    cmd_node = next((n for n in start.nodes if n.name == "CMD"), None)
    lines.append((ep_node or cmd_node, ["ENTRYPOINT", exec_form(entry)]))
    if start.cmd_args is not None:
        lines.append((cmd_node, ["CMD", exec_form(start.cmd_args)]))
    elif ep_node is None and cmd_node is not None:
        c.notes.append(
            "the CMD becomes an ENTRYPOINT: arguments given to `docker run IMAGE ...` are "
            "now passed to the program instead of replacing it"
        )
    return lines


def _runtime_header(
    c: Candidate, builder: str, binary: str, runtime_binary: str, runtime_dir: str
) -> list[str]:
    """The runtime stage's ``FROM`` (with the builder's ``--platform``), WORKDIR and binary."""
    platform = next((f for f in c.from_.parsed.flags if f.lower().startswith("--platform=")), None)
    head = "FROM " + (f"{platform} " if platform else "") + c.runtime
    return [head, f"WORKDIR {runtime_dir}", copy_line(builder, binary, runtime_binary)]


def _named_from(c: Candidate, builder_name: str) -> cst.Instruction:
    """The builder's ``FROM`` with ``AS <builder_name>`` added when the stage has no name."""
    if c.stage.name is not None:
        return c.from_
    logical = c.from_.logical
    end = len(logical.rstrip())
    as_word = "as" if c.from_.keyword.islower() else "AS"
    return c.from_.replace_span(end, end, f" {as_word} {builder_name}")
