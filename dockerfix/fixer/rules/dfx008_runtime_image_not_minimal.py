"""DFX008 runtime-image-not-minimal."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from dockerfix import cst
from dockerfix.facts import gofacts, libc, stagegraph
from dockerfix.facts.runtimesteps import Step, classify
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import new_instruction

NONROOT = "65532:65532"
_FAMILIES = ("alpine", "busybox", "debian", "ubuntu", "golang")
_KEPT = frozenset(
    {"EXPOSE", "ENV", "LABEL", "VOLUME", "STOPSIGNAL", "WORKDIR", "ARG", "MAINTAINER"}
)
_ROOT = frozenset({"root", "0"})
_NOBODY = frozenset({"nobody"})
_DISTROLESS_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_CHOWN = re.compile(r"--chown=(\S+)")

_BUILD = (
    "FROM golang:1.23-alpine AS build\nWORKDIR /src\nCOPY . .\n"
    "RUN CGO_ENABLED=0 go build -o /out/app .\n\n"
)


def _family(image: str) -> str | None:
    name = stagegraph.official_name(image)
    for family in _FAMILIES:
        if name == family:
            return family
    return None


def _homes(step: Step) -> set[str]:
    """The home folders a user-creating step makes (busybox adduser; useradd -m/-d)."""
    words = step.text.split()
    if step.kind != "user" or not words:
        return set()
    tool = words[0].rpartition("/")[2]
    if tool == "adduser" and "-H" not in words:
        home = words[words.index("-h") + 1] if "-h" in words[:-1] else None
        user = next((n for n in step.names), None)
        return {home or f"/home/{user}"} if (home or user) else set()
    if tool == "useradd" and ("-m" in words or "-d" in words):
        home = words[words.index("-d") + 1] if "-d" in words[:-1] else None
        user = next((n for n in step.names), None)
        return {home or f"/home/{user}"} if (home or user) else set()
    return set()


def _golang_builder(
    tree: cst.Dockerfile, final: cst.Stage, copy: cst.Instruction
) -> tuple[str, str | None, str]:
    """The stage ``copy`` takes the binary from (as named there), its Go root when it is an
    official golang image (else None), and its image."""
    ref = stagegraph.copy_from_ref(copy) or ""
    source = stagegraph.referenced_stage(tree, ref, final.index)
    builder = gofacts.stage_image(tree, stagegraph.chain(tree, source)[-1]) if source else ""
    return ref, gofacts.goroot(builder) if builder else None, builder


def _scratch_lines(
    tree: cst.Dockerfile,
    final: cst.Stage,
    ref: str,
    root: str,
    kept: Sequence[cst.Instruction],
    wants_ca: bool,
    wants_tz: bool,
) -> tuple[list[str], list[str]]:
    """The lines that give a scratch stage the CA bundle and Go's zoneinfo from the golang
    builder ``ref`` (Go root ``root``), unless one of its ``kept`` instructions already
    brings them (``ENV TZ`` naming a zone also asks for the zoneinfo); and which of them
    (``ca``, ``tz``) they add."""
    text = "\n".join(ins.logical for ins in kept)
    env = gofacts.stage_facts(tree, final).env(None)
    wants_tz = wants_tz or env.get("TZ", "") not in ("", "UTC")
    lines: list[str] = []
    added: list[str] = []
    if wants_ca and "ca-certificates" not in text and "/etc/ssl" not in text:
        lines.append(f"COPY --from={ref} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")
        added.append("ca")
    if wants_tz and "zoneinfo" not in text.lower():
        lines += [f"COPY --from={ref} {root}/lib/time/zoneinfo.zip /zoneinfo.zip",
                  "ENV ZONEINFO=/zoneinfo.zip"]  # fmt: skip
        added.append("tz")
    return lines, added


def _image_argument(tree: cst.Dockerfile, final: cst.Stage) -> tuple[str, cst.Instruction] | None:
    """``(name, its ARG)`` when the final stage's image is exactly one global build
    argument (``FROM ${RUNTIME}``) declared alone with a default and used by no other line."""
    found = re.fullmatch(r"\$(?:\{(\w+)\}|(\w+))", final.base_image)
    if found is None:
        return None
    name = found.group(1) or found.group(2)
    declarations = [
        ins
        for ins in tree.instructions
        if ins.name == "ARG" and any(w.partition("=")[0] == name for w in ins.args)
    ]
    uses = [
        ins
        for ins in tree.instructions
        if ins is not final.from_
        and ins.name != "ARG"
        and re.search(rf"\$\{{?{name}\b", ins.logical)
    ]
    if len(declarations) != 1 or uses:
        return None
    (declaration,) = declarations
    if len(declaration.args) != 1 or "=" not in declaration.args[0]:
        return None
    if tree.stages and tree.position(declaration) > tree.position(tree.stages[0].from_):
        return None  # declared in a stage: not what FROM reads
    return name, declaration


class _Blocked(Exception):
    """Why the stage is not migrated; ``stays``: it belongs where it is (no "by hand")."""

    def __init__(self, node: cst.Instruction, reason: str, *, stays: bool = False) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason
        self.stays = stays


class RuntimeImageNotMinimal(Rule):
    """The final stage runs a Go binary on an image with a shell and a package manager.

    ## What it does
    In a multi-stage Go Dockerfile whose final stage is ``alpine``, ``busybox``,
    ``debian``/``ubuntu`` (``-slim`` too) or ``golang`` and only receives the binary from a
    builder stage, moves that stage onto the runtime image (``--runtime-image``, default
    ``gcr.io/distroless/static-debian13``) when every step is accounted for: installs of
    ``ca-certificates``/``tzdata``, ``update-ca-certificates`` and package-cache clean-ups
    are dropped (the distroless image has them), and so is a ``chmod +x`` (or ``755``) of
    the copied binary (``go build`` writes it executable); users and groups it creates
    (``adduser``/``addgroup``, ``useradd``/``groupadd``) are replaced by distroless's
    non-root user: ``USER app`` becomes ``USER 65532:65532``, ``--chown=app`` becomes
    ``--chown=65532:65532``; ``root`` and ``nobody`` (65534 in alpine, busybox, Debian and
    distroless alike) stay as they are. ``EXPOSE``, ``ENV``, ``LABEL``, ``VOLUME``, ``STOPSIGNAL``,
    ``WORKDIR``, comments and exec-form ``ENTRYPOINT``/``CMD`` are kept as they are.

    A runtime stage already on ``scratch`` gets what the program needs and scratch lacks,
    copied from the golang builder: the CA bundle when the program makes TLS connections,
    Go's ``zoneinfo.zip`` (with ``ENV ZONEINFO``) when it loads time zones or ``ENV TZ``
    names one (both found in the build context's source).

    ## Why is this bad?
    A shell and a package manager in the image the program runs in are attack surface it
    never uses, and a larger image to pull and scan. Distroless is "more secure than alpine,
    easier than scratch": CA certificates, time zones and a non-root user, nothing more.

    ## Fix safety
    Not applied, with the step named, when anything else is in the stage: another package
    (``git``, ``curl``, ``tini``, ...), any other ``RUN`` (``mkdir``/``chown`` of data
    folders included), a shell-form ``ENTRYPOINT``/``CMD`` (DFX005 converts it first when it
    can), a start command that is not the binary copied from the builder (a script, a
    shell, ``tini``), a ``HEALTHCHECK`` that runs something else, ``ONBUILD``, ``SHELL``, a
    ``--chown`` or ``USER`` naming a user the stage did not create. A runtime image chosen
    by a build argument is read with the argument's default: when the image is the whole
    argument (``FROM ${RUNTIME}``, declared once, used nowhere else) its default changes,
    so ``--build-arg`` still chooses; otherwise (a registry prefix) the ``FROM`` line gets
    the new image, said as a caveat. The binary must be static — the build that made it sets
    ``CGO_ENABLED=0``, or runs on an alpine golang image that installs no C toolchain — or,
    built on a Debian golang image for a debian/ubuntu runtime stage, linked against glibc
    alone: it then goes to the ``cc`` variant of the runtime image
    (``gcr.io/distroless/cc-debian13``: glibc, libgcc, libstdc++), of the builder's Debian
    release when that is newer than the configured one's (the C library must be at least
    as new as the one the binary was linked with), unless the release is not in the
    builder's tag and may be newer than the runtime image's, the builder installs a library
    (``lib*``, ``*-dev``) the binary may link, or the build's cgo comes from the program's own
    ``import "C"`` or a module wrapping an outside C library (modules that compile the C
    code in, such as mattn/go-sqlite3, are fine). A musl binary built with cgo on alpine
    stays on alpine. A program that runs other programs (``os/exec``) stays where it is.
    The targets are distroless images and ``scratch`` (``--runtime-image scratch``): there
    the CA bundle and Go's zoneinfo are copied from the golang builder when the program
    needs them (with the build context: TLS connections, time zones, ``ENV TZ``; without
    it: when the old image had them). What the migration changes on purpose is
    said: the image has no shell any more (``docker exec ... sh`` is gone), the created
    user's home folder does not exist, and a glibc binary's image is ``cc``.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache ca-certificates tzdata
    RUN addgroup -S app && adduser -S app -G app
    COPY --from=build /out/app /usr/local/bin/app
    USER app
    ENTRYPOINT ["/usr/local/bin/app"]
    ```
    becomes
    ```dockerfile
    FROM gcr.io/distroless/static-debian13
    COPY --from=build /out/app /usr/local/bin/app
    USER 65532:65532
    ENTRYPOINT ["/usr/local/bin/app"]
    ```
    """

    code = "DFX008"
    name = "runtime-image-not-minimal"
    summary = "The runtime stage is on alpine/debian/busybox; move it to distroless"

    VALID = (
        Valid(
            _BUILD + "FROM gcr.io/distroless/static-debian13\nCOPY --from=build /out/app /app\n"
            'ENTRYPOINT ["/app"]\n'
        ),
        Valid(
            _BUILD + "FROM alpine:3.20\nRUN apk add --no-cache git\n"
            'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n'
        ),
        Valid(
            _BUILD + "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
            'COPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\n'
        ),
    )
    INVALID = (
        Invalid(
            _BUILD + "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates tzdata\n"
            "RUN addgroup -S app && adduser -S app -G app\n"
            "COPY --from=build --chown=app:app /out/app /usr/local/bin/app\nUSER app\n"
            'EXPOSE 8080\nENTRYPOINT ["/usr/local/bin/app"]\n',
            expected=_BUILD + "FROM gcr.io/distroless/static-debian13\n"
            "COPY --from=build --chown=65532:65532 /out/app /usr/local/bin/app\n"
            'USER 65532:65532\nEXPOSE 8080\nENTRYPOINT ["/usr/local/bin/app"]\n',
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Move the final stage to the runtime image when every step is accounted for."""
        stages = tree.stages
        if len(stages) < 2 or not gofacts.builds_go(tree):
            return tree
        final = stages[-1]
        image = gofacts.stage_image(tree, final)
        if stagegraph.official_name(image) == "scratch" and not ctx.suppressed(final.from_):
            return self._complete_scratch(tree, ctx, final)
        family = _family(image)
        target = ctx.options.runtime_image
        to_scratch = gofacts.image_repository(target) == "scratch"
        if family is None or ctx.suppressed(final.from_):
            return tree
        if "distroless" not in target and not to_scratch:
            return tree
        if stagegraph.chain(tree, final) != [final] or gofacts.go_builds(tree, stage=final):
            return tree  # built on another stage, or builds Go itself: not a runtime stage
        if not stagegraph.go_build_stages(tree, final):
            return tree
        try:
            plan = self._plan(tree, ctx, final, image)
        except _Blocked as blocked:
            ctx.report(
                blocked.node,
                f"the runtime stage runs the Go binary on {image}, which has a shell and a "
                f"package manager it does not need",
                fixed=False,
                reason=blocked.reason
                if blocked.stays
                else f"{blocked.reason}; move it to {target} by hand",
            )
            return tree
        removed, users, runtime = plan
        glibc = runtime != target
        target = runtime
        additions: list[str] = []
        if to_scratch:
            try:
                additions = self._scratch_needs(tree, ctx, final, image, removed)
            except _Blocked as blocked:
                ctx.report(
                    blocked.node,
                    f"the runtime stage runs the Go binary on {image}, which has a shell and "
                    "a package manager it does not need",
                    fixed=False,
                    reason=f"{blocked.reason}; move it to {target} by hand",
                )
                return tree
        new_tree = tree
        argument = _image_argument(tree, final)
        if argument is not None:
            # the image is one build argument's: its default changes, the choice stays
            name, declaration = argument
            ctx.touch(declaration)
            new_tree = new_tree.replace(
                declaration,
                new_instruction(tree, f"ARG {name}={target}", indent=declaration.indent),
            )
        else:
            ctx.touch(final.from_)
            header = self._from_line(tree, final, target)
            new_tree = new_tree.replace(final.from_, header)
        if additions:
            anchor = final.from_ if argument is not None else header
            new_tree = new_tree.insert_after(
                anchor,
                [new_instruction(tree, line, indent=final.from_.indent) for line in additions],
            )
        for ins in removed:
            body = new_tree.body
            at = next(i for i, node in enumerate(body) if node is ins)
            gone: list[cst.BodyNode] = [ins]
            if (
                0 < at < len(body) - 1
                and isinstance(body[at - 1], cst.BlankLine)
                and isinstance(body[at + 1], cst.BlankLine)
            ):
                gone.append(body[at + 1])  # a paragraph of its own: no double blank line left
            ctx.touch(*gone)
            for node in gone:
                new_tree = new_tree.remove(node)
        mapped: set[str] = set()
        for ins in final.instructions:
            changed = self._mapped(ins, users)
            if changed is not None:
                ctx.touch(ins)
                new_tree = new_tree.replace(ins, changed)
                mapped.update(self._names_used(ins) & users)
        steps = self._dropped_steps(removed)
        dropped = "; ".join(f"`{s.text}`" for s in steps if s.kind != "mode")
        provides = (
            "copied from the builder if needed" if to_scratch else "the runtime image provides it"
        )
        notes = [f"dropped ({provides}): {dropped}"] if dropped else []
        no_ops = "; ".join(f"`{s.text}`" for s in steps if s.kind == "mode")
        if no_ops:
            notes.append(f"dropped (go build's output is already executable): {no_ops}")
        explained = len(notes)  # what the steps dropped were: not caveats
        if mapped:
            who = "a number: scratch has no users" if to_scratch else "distroless's nonroot"
            notes.append(
                f"the user {', '.join(sorted(mapped))} is now {NONROOT} ({who}; its home "
                "folder is not created)"
            )
        if argument is not None:
            notes.append(
                f"the default of the build argument {argument[0]} is now {target} "
                f"(was {image}); `--build-arg {argument[0]}=...` still chooses another"
            )
        elif "$" in final.base_image:
            names = sorted(set(re.findall(r"\$\{?(\w+)", final.base_image)))
            notes.append(
                f"the runtime image was {final.base_image} (build argument "
                f"{', '.join(names)}, default {image}); the new one is written out, so "
                "`--build-arg` no longer changes it"
            )
        if glibc:
            notes.append(
                f"the binary is linked against glibc (cgo): {target} has the C library "
                "(and libgcc, libstdc++), where the static image has none"
            )
        if to_scratch:
            copied = [line.split()[2] for line in additions if line.startswith("COPY")]
            notes.append(
                "scratch has no CA certificates or time zones: "
                + (f"copied from the builder: {', '.join(copied)}" if copied else "none needed")
            )
        notes.append("the image has no shell any more: `docker exec ... sh` is gone")
        ctx.report(
            final.from_,
            f"the runtime stage ran the Go binary on {image}; moved to {target}: "
            + "; ".join(notes),
            fixed=True,
            caveats=notes[explained:],
        )
        return new_tree

    # -- the analysis ------------------------------------------------------------------------
    def _plan(
        self, tree: cst.Dockerfile, ctx: RuleContext, final: cst.Stage, image: str
    ) -> tuple[list[cst.Instruction], set[str], str]:
        """The RUNs to drop, the user/group names created and the image to move to;
        ``_Blocked`` otherwise."""
        if "$" in image:  # a build argument without a default (a flag's is no matter)
            raise _Blocked(final.from_, "the runtime image comes from a build argument")
        if gofacts.is_windows_image(image):
            raise _Blocked(final.from_, "it is a Windows image")
        removed: list[cst.Instruction] = []
        users: set[str] = set()
        modes: list[tuple[cst.Instruction, Step]] = []
        for ins in final.instructions:
            if ins.name == "RUN":
                steps = self._steps(ins)
                other = next((s for s in steps if s.kind == "other"), None)
                if other is not None:
                    raise _Blocked(ins, f"`{other.text}` needs the shell or the package manager")
                users.update(n for s in steps if s.kind == "user" for n in s.names)
                modes.extend((ins, s) for s in steps if s.kind == "mode")
                removed.append(ins)
            elif ins.name in ("ONBUILD", "SHELL"):
                raise _Blocked(ins, f"{ins.name} needs an image with a shell")
        binary = self._start_binary(tree, final)
        self._check_modes(tree, final, modes, binary)
        homes = {h for ins in removed for s in self._steps(ins) for h in _homes(s)}
        facts = gofacts.stage_facts(tree, final)
        # names every runtime image has: root, and nobody (65534, user and group, in alpine,
        # busybox and distroless alike; scratch has no users at all)
        scratch = gofacts.image_repository(ctx.options.runtime_image) == "scratch"
        known = _ROOT | (frozenset() if scratch else _NOBODY)
        for ins in final.instructions:
            place = gofacts.resolve(facts.workdir(ins), ins.args[0]) if ins.args else None
            if ins.name == "WORKDIR" and place in homes:
                raise _Blocked(
                    ins,
                    f"the program runs in {place}, the home folder the stage creates for its "
                    "user (writable to it; distroless has none there)",
                )
            if ins.name == "USER":
                names = [n for n in (ins.args[0] if ins.args else "").split(":") if n]
                unknown = [n for n in names if not n.isdigit() and n not in users | known]
                if unknown:
                    raise _Blocked(
                        ins,
                        f"USER {ins.args[0]} names {unknown[0]}, not a user or group this "
                        "stage creates (nor root or nobody)",
                    )
            elif ins.name in ("COPY", "ADD"):
                owner = ins.flag("chown")
                if owner is not None:
                    names = [n for n in owner.split(":") if n]
                    unknown = [n for n in names if not n.isdigit() and n not in users | known]
                    if unknown:
                        raise _Blocked(ins, f"--chown={owner} names {unknown[0]}, unknown here")
            elif ins.name == "HEALTHCHECK":
                self._check_healthcheck(ins, binary[0])
            elif ins.name not in (*_KEPT, "RUN", "ENTRYPOINT", "CMD", "USER", "COPY", "ADD"):
                raise _Blocked(ins, f"{ins.name} is not something the migration knows")
        target = self._runtime_for(tree, ctx, final, binary, image)
        return removed, users, target

    @staticmethod
    def _check_modes(
        tree: cst.Dockerfile,
        final: cst.Stage,
        modes: list[tuple[cst.Instruction, Step]],
        binary: tuple[str, cst.Instruction],
    ) -> None:
        """``_Blocked`` unless every ``chmod +x`` is of the binary, already copied (mode
        0755 from ``go build``, kept by ``COPY --from``): then dropping it changes nothing."""
        if not modes:
            return
        facts = gofacts.stage_facts(tree, final)
        program, copy = binary
        dest = gofacts.resolve(facts.workdir(copy), copy.args[-1])
        sources = copy.args[:-1]
        if dest is None or len(sources) != 1:
            raise _Blocked(modes[0][0], f"`{modes[0][1].text}` needs the shell")
        # the binary's place: the destination, or a file in it named like the source
        allowed = {dest, posixpath.join(dest, posixpath.basename(sources[0].rstrip("/")))}
        if "/" in program:
            allowed &= {gofacts.resolve(facts.workdir(None), program)}
        order = {id(ins): i for i, ins in enumerate(final.instructions)}
        for ins, step in modes:
            places = {gofacts.resolve(facts.workdir(ins), name) for name in step.names}
            if (
                not places <= allowed
                or order[id(ins)] < order[id(copy)]
                or copy.flag("chmod") is not None
            ):
                raise _Blocked(ins, f"`{step.text}` needs the shell")

    @staticmethod
    def _steps(ins: cst.Instruction) -> list[Step]:
        if ins.is_exec_form or ins.heredocs or ins.flags:
            return [Step("other", " ".join(ins.logical.split())[:60])]
        steps: list[Step] = []
        for text, _ in gofacts.run_scripts(ins):
            steps.extend(classify(text))
        return steps

    @staticmethod
    def _start_binary(tree: cst.Dockerfile, final: cst.Stage) -> tuple[str, cst.Instruction]:
        """The absolute path the container starts, and the COPY --from that put it there."""
        facts = gofacts.stage_facts(tree, final)
        starts = [i for i in final.instructions if i.name in ("ENTRYPOINT", "CMD")]
        entry = next((i for i in reversed(starts) if i.name == "ENTRYPOINT"), None)
        start = entry or next((i for i in reversed(starts) if i.name == "CMD"), None)
        if start is None:
            raise _Blocked(final.from_, "the stage has no ENTRYPOINT or CMD")
        if not start.is_exec_form or not start.args:
            raise _Blocked(start, f"the {start.name} is in shell form (DFX005 converts it)")
        program = start.args[0]
        path = gofacts.resolve(facts.workdir(start), program) if "/" in program else None
        for ins in final.instructions:
            if ins.name != "COPY" or stagegraph.copy_from_ref(ins) is None or len(ins.args) < 2:
                continue
            dest = gofacts.resolve(facts.workdir(ins), ins.args[-1])
            if dest is None:
                continue
            names = {posixpath.basename(s.rstrip("/")) for s in ins.args[:-1]}
            places = {dest} | {posixpath.join(dest, n) for n in names}
            if path in places:
                return program, ins
            on_path = facts.env(start).get("PATH", _DISTROLESS_PATH).split(":")
            folder = dest if ins.args[-1].endswith("/") or len(names) > 1 else None
            if path is None and program in names and folder in on_path:
                return program, ins
            # copied to a file named like the program, in a folder on PATH
            named = posixpath.basename(dest) == program and posixpath.dirname(dest) in on_path
            if path is None and named and len(names) == 1:
                return program, ins
        raise _Blocked(
            start, f"the container starts {program}, not a binary copied from the builder"
        )

    @staticmethod
    def _check_healthcheck(ins: cst.Instruction, program: str) -> None:
        if ins.args and ins.args[0].upper() == "NONE":
            return
        if not ins.is_exec_form or len(ins.args) < 2 or ins.args[1] != program:
            raise _Blocked(ins, "the HEALTHCHECK runs something other than the binary")

    @staticmethod
    def _runtime_for(
        tree: cst.Dockerfile,
        ctx: RuleContext,
        final: cst.Stage,
        binary: tuple[str, cst.Instruction],
        image: str,
    ) -> str:
        """The image the binary can run on: the configured one for a static binary, its
        glibc variant (``cc``) for one linked against glibc; ``_Blocked`` otherwise."""
        ref = stagegraph.copy_from_ref(binary[1]) or ""
        source = stagegraph.referenced_stage(tree, ref, final.index)
        if source is None:
            raise _Blocked(binary[1], f"--from={ref} is not a stage of this file")
        chain = stagegraph.chain(tree, source)
        setting = None
        for st in reversed(chain):
            setting = gofacts.cgo_setting(tree, st) or setting
        static = setting is not None and setting.strip("'\"") == "0"
        context = ctx.build_context
        target = ctx.options.runtime_image
        if not static:
            builder = gofacts.stage_image(tree, chain[-1])
            reasons = gofacts.cgo_reasons(
                tree, source, context.cgo_reasons if context is not None else []
            )
            if gofacts.is_musl_image(builder):
                if reasons:
                    raise _Blocked(
                        binary[1],
                        f"the binary is linked against musl (cgo on {builder}: "
                        f"{reasons[0]}): distroless has glibc, so it stays on alpine",
                        stays=True,
                    )
            elif _family(image) not in ("debian", "ubuntu", "golang"):
                raise _Blocked(
                    binary[1],
                    "the binary may be linked dynamically (cgo is not switched off for its "
                    "build): distroless/static would not run it",
                )
            else:
                choice = libc.glibc_runtime(tree, chain, builder, target, reasons)
                if choice.image is None:
                    raise _Blocked(choice.node or binary[1], choice.reason)
                target = choice.image
        if context is not None and context.executed_programs:
            shown = ", ".join(context.executed_programs[:2])
            raise _Blocked(binary[1], f"the program runs {shown}, which distroless lacks")
        return target

    def _scratch_needs(
        self,
        tree: cst.Dockerfile,
        ctx: RuleContext,
        final: cst.Stage,
        image: str,
        removed: list[cst.Instruction],
    ) -> list[str]:
        """The lines that give a stage moved to scratch what its old image gave the program:
        the CA bundle and Go's zoneinfo, copied from the golang builder. With the build
        context, when the program makes TLS connections or loads time zones (or ``ENV TZ``
        names one); without it, when the old image had them (alpine's CA bundle, an install
        of ca-certificates or tzdata)."""
        _program, copy = self._start_binary(tree, final)
        ref, root, builder = _golang_builder(tree, final, copy)
        if root is None:
            raise _Blocked(
                copy,
                f"scratch lacks the CA bundle and time zones, and where {builder or 'the '}"
                "builder keeps them is not known",
            )
        dropped = " ".join(s.text for s in self._dropped_steps(removed))
        context = ctx.build_context
        if context is not None:
            wants_ca = context.uses_tls_or_https
            wants_tz = context.uses_timezones
        else:
            wants_ca = _family(image) == "alpine" or "ca-certificates" in dropped
            wants_tz = "tzdata" in dropped
        kept = [ins for ins in final.instructions if not any(ins is r for r in removed)]
        lines, _ = _scratch_lines(tree, final, ref, root, kept, wants_ca, wants_tz)
        return lines

    def _complete_scratch(
        self, tree: cst.Dockerfile, ctx: RuleContext, final: cst.Stage
    ) -> cst.Dockerfile:
        """Give a scratch runtime stage the CA bundle and zoneinfo its program needs."""
        context = ctx.build_context
        if context is None or gofacts.go_builds(tree, stage=final):
            return tree
        try:
            _program, copy = self._start_binary(tree, final)
        except _Blocked:
            return tree  # not a stage that runs a copied binary: nothing to say
        ref, root, _builder = _golang_builder(tree, final, copy)
        if root is None:
            return tree  # not an official golang builder: where its files are is not known
        lines, added = _scratch_lines(
            tree, final, ref, root, final.instructions, context.uses_tls_or_https,
            context.uses_timezones,
        )  # fmt: skip
        why: list[str] = []
        if "ca" in added:
            why.append(f"CA certificates ({context.tls_reasons[0]})")
        if "tz" in added:
            shown = context.timezone_reasons[0] if context.timezone_reasons else "ENV TZ"
            why.append(f"time-zone data ({shown})")
        if not lines:
            return tree
        nodes = [new_instruction(tree, line, indent=final.from_.indent) for line in lines]
        ctx.report(
            final.from_,
            f"the scratch runtime stage lacks what the program needs: {' and '.join(why)}; "
            "copied from the builder",
            fixed=True,
        )
        return tree.insert_after(final.from_, nodes)

    # -- the edits ---------------------------------------------------------------------------
    @staticmethod
    def _from_line(tree: cst.Dockerfile, final: cst.Stage, target: str) -> cst.Instruction:
        flags = " ".join(final.from_.parsed.flags)
        alias = f" AS {final.name}" if final.name else ""
        text = "FROM " + (f"{flags} " if flags else "") + target + alias
        return new_instruction(tree, text, indent=final.from_.indent)

    @staticmethod
    def _mapped(ins: cst.Instruction, users: set[str]) -> cst.Instruction | None:
        if ins.name == "USER" and ins.args:
            name = ins.args[0].split(":", 1)[0]
            if name in users:
                start = ins.logical.index(ins.args[0], len(ins.keyword))
                return ins.replace_span(start, start + len(ins.args[0]), NONROOT)
        if ins.name in ("COPY", "ADD"):
            owner = ins.flag("chown")
            if owner is not None and any(n in users for n in owner.split(":")):
                m = _CHOWN.search(ins.logical)
                if m is not None:
                    return ins.replace_span(m.start(1), m.end(1), NONROOT)
        return None

    @staticmethod
    def _names_used(ins: cst.Instruction) -> set[str]:
        """The user and group names a USER or a --chown names."""
        if ins.name == "USER" and ins.args:
            return set(ins.args[0].split(":"))
        owner = ins.flag("chown") if ins.name in ("COPY", "ADD") else None
        return set(owner.split(":")) if owner else set()

    @staticmethod
    def _dropped_steps(removed: list[cst.Instruction]) -> list[Step]:
        out: list[Step] = []
        for ins in removed:
            out.extend(RuntimeImageNotMinimal._steps(ins))
        return out
