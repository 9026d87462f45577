"""DFX001 single-stage-go-build."""

from __future__ import annotations

import posixpath
import re

from dockerfix import cst
from dockerfix.fixer import gocmd, gofacts, shellwords
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid, suppressions_for
from dockerfix.fixer.buildsteps import leading_comments
from dockerfix.fixer.context import BuildContext
from dockerfix.fixer.dockerignore import is_excluded
from dockerfix.fixer.split import steps
from dockerfix.fixer.split.plan import Group, Plan, apply_plan
from dockerfix.fixer.style import exec_form, new_instruction

MESSAGE = "single-stage Go build: the final image ships the Go toolchain and the source code"

DISTROLESS_CC = "gcr.io/distroless/cc-debian13"

# Go toolchain variables (``go help environment``): they steer the build, not the program, so
# they stay in the builder. GOGC, GOMAXPROCS, GOMEMLIMIT, GODEBUG and GOTRACEBACK are read by
# the Go runtime and do go to the runtime stage.
_TOOLCHAIN_VARS = frozenset(
    {
        "GO111MODULE", "GOARCH", "GOAUTH", "GOBIN", "GOCACHE", "GOCACHEPROG", "GOENV", "GOEXE",
        "GOEXPERIMENT", "GOFIPS140", "GOFLAGS", "GOHOSTARCH", "GOHOSTOS", "GOINSECURE",
        "GOMODCACHE", "GONOPROXY", "GONOSUMCHECK", "GONOSUMDB", "GOOS", "GOPATH", "GOPRIVATE",
        "GOPROXY", "GOROOT", "GOSUMDB", "GOTELEMETRY", "GOTELEMETRYDIR", "GOTMPDIR",
        "GOTOOLCHAIN", "GOTOOLDIR", "GOVCS", "GOWORK", "GOAMD64", "GOARM", "GOARM64", "GO386",
        "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM", "GOLANG_VERSION", "GCCGO",
        "AR", "CC", "CXX", "FC", "PKG_CONFIG", "PATH",
    }
)  # fmt: skip

_VAR_REF = re.compile(r"\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*))")
_ROOT_USERS = frozenset({"root", "0"})
_PLAIN_PATH = re.compile(r"[^\s\"'\\$`]+")
_SAFE_ENV_VALUE = re.compile(r"[^\s\"'\\`]+")
_MOVED = frozenset({"EXPOSE", "LABEL", "STOPSIGNAL", "MAINTAINER", "VOLUME", "HEALTHCHECK"})


class _Blocked(Exception):
    """The split is unsafe: ``node`` is where, ``reason`` says why and what to do."""

    def __init__(self, node: cst.Instruction, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


# -- small helpers ------------------------------------------------------------------


def _line(tree: cst.Dockerfile, node: cst.Instruction) -> int:
    try:
        return tree.position(node).line
    except ValueError:
        return 0


def _shown(ins: cst.Instruction, limit: int = 60) -> str:
    text = " ".join(ins.logical.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rule_enabled(ctx: RuleContext, code: str) -> bool:
    options = ctx.options
    if code in options.ignore:
        return False
    return options.select is None or code in options.select


def _var_refs(text: str, escape: str) -> list[str]:
    """Names of the ``$VAR``/``${VAR}`` references in an instruction's arguments."""
    names: list[str] = []
    for m in _VAR_REF.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == escape:
            continue
        names.append(m.group(1) or m.group(2))
    return list(dict.fromkeys(names))


def _arguments_text(ins: cst.Instruction) -> str:
    """The logical line without its keyword."""
    logical = ins.logical.lstrip()
    return logical[len(ins.keyword) :]


def _user_part(value: str) -> tuple[str, str | None]:
    user, sep, group = value.partition(":")
    return user, group if sep else None


def _known_users(runtime: str) -> frozenset[str]:
    repo = gofacts.image_repository(runtime)
    if repo == "scratch":
        return frozenset()
    if "distroless" in repo or "chainguard" in repo:
        return frozenset({"root", "nonroot", "nobody"})
    return frozenset({"root", "nobody"})


def _copy_line(builder: str, src: str, dst: str) -> str:
    if _PLAIN_PATH.fullmatch(src) and _PLAIN_PATH.fullmatch(dst):
        return f"COPY --from={builder} {src} {dst}"
    return f"COPY --from={builder} {exec_form([src, dst])}"


# -- the analysis ------------------------------------------------------------------------------


class _Analysis:
    """Decides whether and how to split one single-stage Go Dockerfile."""

    def __init__(self, tree: cst.Dockerfile, ctx: RuleContext, stage: cst.Stage) -> None:
        self.tree = tree
        self.ctx = ctx
        self.stage = stage
        self.from_ = stage.from_
        self.image = gofacts.stage_image(tree, stage)
        self.runtime = ctx.options.runtime_image
        self.static_runtime = gofacts.is_static_runtime(self.runtime)
        self.scratch = gofacts.image_repository(self.runtime) == "scratch"
        self.bc: BuildContext | None = ctx.build_context
        self.module_path = self.bc.module_path if self.bc is not None else None
        self.notes: list[str] = []
        self.escape = tree.escape
        self.custom_ca = False

    # -- entry point ----------------------------------------------------------------------
    def run(self) -> Plan:
        stage = self.stage
        if not re.fullmatch(r"[^\s\"'\\`]+", self.runtime):
            raise _Blocked(self.from_, f"the runtime image {self.runtime!r} is not an image name")
        if gofacts.is_windows_image(self.image):
            raise _Blocked(
                self.from_,
                f"the builder image {self.image} is a Windows image and the runtime images "
                "dockerfix uses are Linux-only; split by hand with a Windows runtime image "
                "(e.g. nanoserver)",
            )
        for ins in stage.instructions:
            if ins.name == "ONBUILD":
                raise _Blocked(
                    ins,
                    "ONBUILD makes this image a base for other builds, which expect the "
                    "toolchain and sources in it; split by hand if it is not used that way",
                )
            if ins.name == "SHELL":
                raise _Blocked(
                    ins,
                    "SHELL changes how later commands run; the runtime image has no shell. "
                    "Split by hand",
                )
        all_builds = gofacts.go_builds(self.tree, self.module_path, stage)
        app_builds = [b for b in all_builds if not b.remote and not b.compile_only]
        if not app_builds:
            self._check_go_run()
            raise _Blocked(
                self.from_,
                "no `go build` (or `go install` of a local package) in the stage, so there "
                "is no binary to copy into a runtime stage (the image may be a toolchain or "
                "development image on purpose); if the build happens in a script or "
                "Makefile, split by hand",
            )
        if not gofacts.is_go_image(self.image):
            raise _Blocked(
                self.from_,
                f"the stage builds Go on {self.image or 'an unknown image'}, not on an "
                "official golang image whose layout dockerfix knows; split by hand",
            )
        argv, cmd_args, anchor, start_nodes = self._start_command()
        outputs = {b.output for b in app_builds if b.output is not None}
        self._check_after_build(all_builds, outputs)
        build = self._chosen_build(app_builds, argv[0], anchor)
        assert build.output is not None
        binary = build.output
        self._check_cgo(build, app_builds)
        for ins in stage.instructions:
            if ins.name == "VOLUME":
                self._check_volume(ins)
        self._check_packages_and_dirs()
        cwd = gofacts.workdir_at(self.tree, stage, None)  # the container's working directory
        groups, moved_copies = self._runtime_groups(binary, cwd, start_nodes)
        keep_workdir = bool(moved_copies)
        file_copies = self._runtime_files(cwd)
        if file_copies:
            keep_workdir = True
        if self.bc is not None and self.bc.unresolved_runtime_files:
            keep_workdir = True
            shown = ", ".join(f.path for f in self.bc.unresolved_runtime_files[:4])
            self.notes.append(
                f"the program also opens {shown} by relative path, which is not in the build "
                "context (created at run time or mounted): the runtime stage keeps the "
                "working directory so those paths resolve the same"
            )
        if keep_workdir and cwd is None:
            raise _Blocked(
                anchor,
                "the program needs files by relative path but the working directory cannot "
                "be determined; split by hand",
            )
        runtime_dir = cwd if keep_workdir and cwd is not None else "/"
        name = posixpath.basename(binary)
        runtime_binary = posixpath.join(runtime_dir, name)
        for src, _ in file_copies:
            if runtime_binary == src or runtime_binary.startswith(src.rstrip("/") + "/"):
                raise _Blocked(
                    anchor,
                    f"the binary's place in the runtime stage ({runtime_binary}) collides "
                    f"with {src}, which the program reads at run time; split by hand",
                )
        builder_name = stage.name or "builder"
        lines = self._runtime_header(builder_name, binary, runtime_binary, runtime_dir)
        lines += [_copy_line(builder_name, src, dst) for src, dst in file_copies]
        lines += self._extra_files(builder_name)
        self._map_healthchecks(groups, binary, runtime_binary, cwd)
        lines += self._needed_args(groups)
        entry = [runtime_binary, *argv[1:]]
        start: list[tuple[cst.Instruction | None, list[str]]] = []
        ep_node = next((n for n in start_nodes if n.name == "ENTRYPOINT"), None)
        cmd_node = next((n for n in start_nodes if n.name == "CMD"), None)
        start.append((ep_node or cmd_node, ["ENTRYPOINT", exec_form(entry)]))
        if cmd_args is not None:
            start.append((cmd_node, ["CMD", exec_form(cmd_args)]))
        elif ep_node is None and cmd_node is not None:
            self.notes.append(
                "the CMD becomes an ENTRYPOINT: arguments given to `docker run IMAGE ...` are "
                "now passed to the program instead of replacing it"
            )
        others = sorted({b.output for b in app_builds if b.output and b.output != binary})
        if others:
            self.notes.append(
                f"the stage also builds {', '.join(others)}; only {binary}, which the "
                "container starts, is copied"
            )
        new_from = self._named_from(builder_name)
        return Plan(
            builder_name=builder_name,
            from_=self.from_,
            new_from=new_from,
            runtime_lines=lines,
            groups=groups,
            start=start,
            start_removed=start_nodes,
            notes=self.notes,
            binary=binary,
            runtime_binary=runtime_binary,
        )

    # -- the start command ---------------------------------------------------------------------
    def _check_go_run(self) -> None:
        """Explain a container that starts with ``go run`` (it has nothing to split yet)."""
        for ins in reversed(self.stage.instructions):
            if ins.name not in ("CMD", "ENTRYPOINT"):
                continue
            argv = list(ins.args) if ins.is_exec_form else shellwords.split_words(
                ins.shell_text or ""
            )
            if argv and gocmd.find_go_commands(" ".join(shellwords.quote_word(a) for a in argv)):
                self._check_program(argv, ins)
            return

    def _start_command(
        self,
    ) -> tuple[list[str], list[str] | None, cst.Instruction, list[cst.Instruction]]:
        stage = self.stage
        eps = [i for i in stage.instructions if i.name == "ENTRYPOINT"]
        cmds = [i for i in stage.instructions if i.name == "CMD"]
        ep = eps[-1] if eps else None
        cmd = cmds[-1] if cmds else None
        if ep is None and cmd is None:
            raise _Blocked(
                self.from_,
                "no CMD or ENTRYPOINT says which program the container runs; add "
                'ENTRYPOINT ["/path/to/binary"] (or split by hand)',
            )
        cmd_args: list[str] | None = None
        if ep is not None:
            anchor = ep
            if not ep.is_exec_form:
                if cmd is not None:
                    raise _Blocked(
                        ep,
                        "a shell-form ENTRYPOINT ignores the CMD, while an exec-form one would "
                        "receive it as arguments; merge them into one exec-form ENTRYPOINT by "
                        "hand",
                    )
                argv = self._shell_argv(ep)
            else:
                argv = list(ep.args)
            if cmd is not None:
                if not cmd.is_exec_form:
                    raise _Blocked(
                        cmd,
                        "the shell-form CMD reaches the ENTRYPOINT as `/bin/sh -c ...` "
                        "arguments, which need a shell; write it in exec form by hand",
                    )
                cmd_args = list(cmd.args)
        else:
            assert cmd is not None
            anchor = cmd
            argv = list(cmd.args) if cmd.is_exec_form else self._shell_argv(cmd)
        if not argv:
            raise _Blocked(anchor, f"the {anchor.name} is empty; add the program to run")
        self._check_program(argv, anchor)
        nodes = [n for n in (ep, cmd) if n is not None]
        return argv, cmd_args, anchor, nodes

    def _shell_argv(self, ins: cst.Instruction) -> list[str]:
        text = ins.shell_text or ""
        features = shellwords.shell_features(text)
        if features:
            raise _Blocked(
                ins,
                f"the {ins.name} needs a shell ({', '.join(features)}) and distroless/scratch "
                "images have none; move that logic into the program (flags, defaults, "
                "os.Getenv) and use an exec-form ENTRYPOINT, then split",
            )
        words = shellwords.split_words(text)
        if not words:
            raise _Blocked(ins, f"the shell-form {ins.name} is empty or its quoting is unbalanced")
        if words[0] == "exec" and len(words) > 1:
            words = words[1:]
        return words

    def _check_program(self, argv: list[str], anchor: cst.Instruction) -> None:
        prog = steps.basename(argv[0])
        if prog in steps.SHELLS:
            raise _Blocked(
                anchor,
                f"the container starts through a shell (`{_shown(anchor)}`) and "
                "distroless/scratch images have none; start the binary directly with an "
                "exec-form ENTRYPOINT, then split",
            )
        if gocmd.find_go_commands(" ".join(shellwords.quote_word(a) for a in argv)):
            sub = argv[1] if len(argv) > 1 else ""
            what = "compiles and runs the program with `go run`" if sub == "run" else (
                "runs the go tool"
            )
            raise _Blocked(
                anchor,
                f"the container {what} when it starts, so it needs the toolchain; build the "
                "binary in a RUN (e.g. `RUN go build -o /app/server .`) and start it with "
                'an exec-form ENTRYPOINT (["/app/server"]); then dockerfix can split the stage',
            )

    # -- which binary ------------------------------------------------------------------------------
    def _chosen_build(
        self, builds: list[gofacts.GoBuild], program: str, anchor: cst.Instruction
    ) -> gofacts.GoBuild:
        by_output: dict[str, gofacts.GoBuild] = {}
        for b in builds:
            if b.output is not None:
                by_output[b.output] = b
        unknown = [b for b in builds if b.output is None]
        chosen: str | None = None
        if "/" in program:
            cwd = gofacts.workdir_at(self.tree, self.stage, None)
            path = gofacts.resolve(cwd, program)
            if path is None:
                raise _Blocked(
                    anchor,
                    f"the start command runs `{program}` relative to a working directory "
                    "dockerfix cannot determine; use an absolute path",
                )
            if path in by_output:
                chosen = path
        else:
            env = gofacts.full_env(self.tree, self.stage, None)
            for directory in env.get("PATH", "").split(":"):
                candidate = posixpath.join(directory or ".", program)
                if candidate in by_output:
                    chosen = candidate
                    break
        if chosen is not None:
            tools = [
                b for b in gofacts.go_builds(self.tree, self.module_path, self.stage) if b.remote
            ]
            for tool in tools:
                names = [
                    gocmd.default_binary_name(None, p.split("@", 1)[0])
                    for p in tool.command.packages
                ]
                if steps.basename(chosen) in names and "/" not in program:
                    raise _Blocked(
                        anchor,
                        f"`{program}` may be the tool that `{_shown(tool.instruction)}` "
                        "installs rather than the application; use the binary's absolute path",
                    )
            return by_output[chosen]
        if unknown:
            b = unknown[0]
            raise _Blocked(b.instruction, self._unknown_output_reason(b))
        outputs = ", ".join(sorted(by_output)) or "nothing"
        raise _Blocked(
            anchor,
            f"the start command runs `{program}`, which is not the binary the build writes "
            f"({outputs}); the runtime stage would have nothing to run it with. Start the "
            "built binary directly (exec form), or split by hand",
        )

    def _unknown_output_reason(self, build: gofacts.GoBuild) -> str:
        cmd = build.command
        where = f"`{' '.join(cmd.raw.split())}`"
        if build.workdir is None:
            return f"the working directory of {where} cannot be determined; use absolute paths"
        if cmd.output is not None:
            return (
                f"the output path of {where} depends on a variable or command substitution "
                "dockerfix cannot resolve; write -o with a literal path"
            )
        packages = list(cmd.packages)
        if any("..." in p or "$" in p for p in packages) or len(packages) > 1:
            return (
                f"{where} may write several binaries and dockerfix cannot tell their names; "
                "build the program with `-o /path/to/binary`"
            )
        if self.bc is None:
            return (
                f"without -o, {where} names the binary after the module path in go.mod, which "
                "is unknown without the build context; add `-o /path/to/binary` or run "
                "dockerfix with the Dockerfile's path"
            )
        return f"dockerfix cannot tell which file {where} writes; add `-o /path/to/binary`"

    # -- cgo -------------------------------------------------------------------------------------
    def _check_cgo(self, build: gofacts.GoBuild, builds: list[gofacts.GoBuild]) -> None:
        stage = self.stage
        context_reasons = list(self.bc.cgo_reasons) if self.bc is not None else []
        reasons = gofacts.cgo_reasons(self.tree, stage, context_reasons)
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
        musl = gofacts.is_musl_image(self.image)
        if reasons and not fully_static:
            why = "; ".join(dict.fromkeys(reasons))
            if self.static_runtime:
                suggestion = (
                    "an alpine runtime image (`--runtime-image alpine:3`), since the builder "
                    "links against musl"
                    if musl
                    else f"`--runtime-image {DISTROLESS_CC}`, which has the C library"
                )
                raise _Blocked(
                    self.from_,
                    f"the build needs cgo ({why}), so the binary links the C library and "
                    f"cannot run on {self.runtime}; rerun with {suggestion}, or split by hand",
                )
            repo = gofacts.image_repository(self.runtime)
            glibc_runtime = "distroless/base" in repo or "distroless/cc" in repo
            musl_runtime = repo.rsplit("/", 1)[-1] == "alpine"
            if (musl and not musl_runtime) or (not musl and not glibc_runtime):
                libc = "musl (alpine)" if musl else "glibc"
                fit = "an alpine image" if musl else f"distroless base/cc ({DISTROLESS_CC})"
                raise _Blocked(
                    self.from_,
                    f"the build needs cgo ({why}) and links against {libc}, which "
                    f"{self.runtime} may not provide; use {fit} as the runtime image, or "
                    "split by hand",
                )
            tag = gofacts.image_tag(self.image)
            if "trixie" in tag and "debian12" in repo:
                raise _Blocked(
                    self.from_,
                    f"the builder ({self.image}) has a newer glibc than {self.runtime}; use "
                    f"{DISTROLESS_CC} as the runtime image",
                )
            self.notes.append(
                f"the build needs cgo ({why}); {self.runtime} provides the C library, but not "
                "other shared libraries the program may link"
            )
            return
        if not self.static_runtime or fully_static:
            return
        setting = gofacts.cgo_setting(self.tree, stage)
        value = setting.strip("'\"") if setting is not None else None
        has_cc = not musl or bool(reasons)
        if value == "0" or not has_cc:
            return
        if value is None:
            suppressed = any(
                "DFX003" in suppressions_for(self.tree, node) or "cgo-not-disabled"
                in suppressions_for(self.tree, node)
                for node in [self.from_, *(b.instruction for b in builds)]
            )
            if _rule_enabled(self.ctx, "DFX003") and not suppressed:
                return  # DFX003 sets CGO_ENABLED=0 in the builder
            raise _Blocked(
                self.from_,
                f"CGO_ENABLED is not set and {self.image} has a C compiler, so the binary may "
                f"link the C library and fail on {self.runtime}; set CGO_ENABLED=0 (rule "
                "DFX003) first",
            )
        raise _Blocked(
            self.from_,
            f"CGO_ENABLED is set to `{setting}`, which dockerfix cannot evaluate, and the "
            f"binary may then link the C library and fail on {self.runtime}; set "
            "CGO_ENABLED=0 or split by hand",
        )

    # -- what runs after the build --------------------------------------------------------------
    def _check_after_build(self, builds: list[gofacts.GoBuild], binaries: set[str]) -> None:
        instructions = self.stage.instructions
        last = builds[-1]
        index = next(i for i, ins in enumerate(instructions) if ins is last.instruction)
        for text, _ in gofacts.run_scripts(last.instruction):
            commands = gocmd.find_go_commands(text)
            if not any(c.raw == last.command.raw and c.start == last.command.start
                       for c in commands):
                continue
            for cmd in shellwords.simple_commands(text):
                if cmd.start >= last.command.end:
                    self._check_harmless(last.instruction, cmd, binaries)
        for ins in instructions[index + 1 :]:
            if ins.name != "RUN":
                continue
            if ins.is_exec_form:
                raise _Blocked(ins, self._after_build_reason(ins, " ".join(ins.args)))
            for text, _ in gofacts.run_scripts(ins):
                for cmd in shellwords.simple_commands(text):
                    self._check_harmless(ins, cmd, binaries)

    def _check_harmless(
        self, ins: cst.Instruction, cmd: shellwords.SimpleCommand, binaries: set[str]
    ) -> None:
        program = steps.program(cmd)
        raw = " ".join(w.raw for w in cmd.words) or " ".join(a.raw for a in cmd.assignments)
        if not cmd.words:
            return
        if program is not None and not steps.writes_files(cmd):
            if program in steps.HARMLESS_COMMANDS or re.fullmatch(r"go\d[\w.]*", program):
                return
            subcommands = [w.value for w in cmd.words[1:] if not w.text.startswith("-")]
            if program in steps.INSTALL and subcommands and subcommands[0] in steps.REMOVING:
                return
            if program in steps.BINARY_COMMANDS:
                workdir = gofacts.workdir_at(self.tree, self.stage, ins)
                operands = steps.operands(cmd)
                if program == "chmod" and operands:
                    operands = operands[1:]  # the mode
                targets = [gofacts.resolve(workdir, o) if o else None for o in operands]
                if targets and all(t in binaries for t in targets):
                    return
        raise _Blocked(ins, self._after_build_reason(ins, raw))

    def _after_build_reason(self, ins: cst.Instruction, what: str) -> str:
        line = _line(self.tree, ins)
        return (
            f"`{' '.join(what.split())[:60]}` (line {line}) runs after the go build and may "
            "prepare the running container (packages, users, files, permissions); a "
            "distroless or scratch stage cannot run it. Move it before the build if it only "
            "serves the build, or split by hand"
        )

    def _check_packages_and_dirs(self) -> None:
        stage = self.stage
        installed: list[tuple[str, str, cst.Instruction]] = []
        removed: set[str] = set()
        mkdirs: list[tuple[str, cst.Instruction]] = []
        for ins in stage.instructions:
            for text, _ in gofacts.run_scripts(ins):
                got, gone = steps.package_changes(text)
                installed += [(n, g, ins) for n, g in got]
                removed.update(gone)
                if re.search(r"\bupdate-ca-certificates\b|\bupdate-ca-trust\b", text):
                    self.custom_ca = self.custom_ca or self._adds_certificates()
                workdir = gofacts.workdir_at(self.tree, stage, ins)
                for cmd in shellwords.simple_commands(text):
                    if steps.program(cmd) == "mkdir":
                        for operand in steps.operands(cmd):
                            path = gofacts.resolve(workdir, operand) if operand else None
                            if path is not None:
                                mkdirs.append((path, ins))
        runtime_packages = [
            (n, ins)
            for n, g, ins in installed
            if n not in removed
            and not (g and g in removed)
            and n not in steps.BUILD_PACKAGES
            and not n.endswith(("-dev", "-devel", "-doc"))
            and not n.startswith(("golang", "go-"))
        ]
        if runtime_packages:
            names = ", ".join(dict.fromkeys(n for n, _ in runtime_packages))
            ins = runtime_packages[0][1]
            raise _Blocked(
                ins,
                f"the stage installs {names} (line {_line(self.tree, ins)}), which the program "
                "may run at run time; distroless and scratch have no package manager. If "
                "they only serve the build, split by hand",
            )
        used = self._used_dirs()
        for path, ins in mkdirs:
            if any(path == u or u.startswith(path + "/") or path.startswith(u + "/")
                   for u in used):
                continue
            raise _Blocked(
                ins,
                f"line {_line(self.tree, ins)} creates {path}, which the build does not use, so "
                "the program probably does at run time; the runtime stage would not have it. "
                "Split by hand (e.g. create it with COPY --from=builder)",
            )

    def _adds_certificates(self) -> bool:
        """True when the stage puts certificates of its own where the CA tools read them."""
        for ins in self.stage.instructions:
            if ins.name in ("COPY", "ADD") and len(ins.args) >= 2:
                workdir = gofacts.workdir_at(self.tree, self.stage, ins)
                dest = gofacts.resolve(workdir, ins.args[-1]) or ""
                if dest.startswith(steps.CA_DIRS):
                    return True
            for text, _ in gofacts.run_scripts(ins):
                for cmd in shellwords.simple_commands(text):
                    program = steps.program(cmd)
                    if program in ("update-ca-certificates", "update-ca-trust"):
                        continue
                    if any((w.value or "").startswith(steps.CA_DIRS) for w in cmd.words[1:]):
                        return True
                    if any(
                        r.target is not None and (r.target.value or "").startswith(steps.CA_DIRS)
                        for r in cmd.redirects
                    ):
                        return True
        return False

    def _used_dirs(self) -> set[str]:
        """Directories the build itself uses: WORKDIRs, COPY destinations, GOPATH, /tmp."""
        used = {"/go", "/tmp", "/root", "/usr/local/go", "/var/cache", "/var/lib/apt"}
        for ins in self.stage.instructions:
            if ins.name == "VOLUME":
                used.update(posixpath.normpath(a) for a in ins.args if a.startswith("/"))
        for ins in self.stage.instructions:
            workdir = gofacts.workdir_at(self.tree, self.stage, ins)
            if workdir is not None and ins.name in ("WORKDIR", "COPY", "ADD", "RUN"):
                used.add(workdir)
            if ins.name in ("COPY", "ADD") and len(ins.args) >= 2:
                dest = gofacts.resolve(workdir, ins.args[-1])
                if dest is not None:
                    used.add(dest)
        after = gofacts.workdir_at(self.tree, self.stage, None)
        if after is not None:
            used.add(after)
        return used

    # -- what moves to the runtime stage -----------------------------------------------------------
    def _runtime_groups(
        self, binary: str, cwd: str | None, start_nodes: list[cst.Instruction]
    ) -> tuple[list[Group], bool]:
        stage = self.stage
        instructions = stage.instructions
        builds = gofacts.go_builds(self.tree, self.module_path, stage)
        last_build = builds[-1].instruction
        last_index = next(i for i, x in enumerate(instructions) if x is last_build)
        run_indexes = [i for i, x in enumerate(instructions) if x.name == "RUN"]
        groups: list[Group] = []
        moved_copies = False
        users = [i for i in instructions if i.name == "USER"]
        for index, ins in enumerate(instructions):
            name = ins.name
            if ins in start_nodes:
                continue
            comments = leading_comments(self.tree, ins)
            if name in _MOVED:
                groups.append(Group(ins, comments))
            elif name == "USER" and users and ins is users[-1]:
                group = self._user_group(ins, comments, run_indexes, index)
                if group is not None:
                    groups.append(group)
            elif name == "ENV":
                group = self._env_group(ins)
                if group is not None:
                    groups.append(group)
            elif name in ("COPY", "ADD") and index > last_index:
                self._check_moved_copy(ins, cwd)
                groups.append(Group(ins, comments))
                moved_copies = True
        return groups, moved_copies

    def _check_volume(self, ins: cst.Instruction) -> None:
        env = gofacts.full_env(self.tree, self.stage, ins)
        for raw in ins.args:
            path = gofacts.expand(raw, env)
            if path is None:
                raise _Blocked(ins, f"the VOLUME path {raw} depends on an unknown variable")
            path = posixpath.normpath(path)
            for other in self.stage.instructions:
                if other is ins:
                    continue
                for text, _ in gofacts.run_scripts(other):
                    if re.search(rf"(?<![\w/.-]){re.escape(path)}(?![\w.-])", text):
                        raise _Blocked(
                            ins,
                            f"line {_line(self.tree, other)} prepares the volume {path}; the "
                            "runtime stage would start with it empty and root-owned. Split by "
                            "hand",
                        )
                if other.name in ("COPY", "ADD") and len(other.args) >= 2:
                    workdir = gofacts.workdir_at(self.tree, self.stage, other)
                    dest = gofacts.resolve(workdir, other.args[-1])
                    if dest is not None and (dest == path or dest.startswith(path + "/")):
                        raise _Blocked(
                            ins,
                            f"line {_line(self.tree, other)} copies files into the volume "
                            f"{path}; split by hand",
                        )

    def _user_group(
        self,
        ins: cst.Instruction,
        comments: list[cst.Comment],
        run_indexes: list[int],
        index: int,
    ) -> Group | None:
        env = gofacts.full_env(self.tree, self.stage, ins)
        raw = ins.args[0] if ins.args else ""
        value = gofacts.expand(raw, env)
        if value is None:
            raise _Blocked(ins, f"USER {raw} depends on a variable dockerfix cannot resolve")
        user, group = _user_part(value)
        if user in _ROOT_USERS:
            return None  # stays in the builder; the runtime stage gets its own USER
        known = _known_users(self.runtime)
        for part in (user, group):
            if part is None or part.isdigit() or part in known:
                continue
            raise _Blocked(
                ins,
                f"USER {value}: {self.runtime} has no user or group `{part}` (it has "
                f"{', '.join(sorted(known)) or 'no /etc/passwd'}); use a numeric USER such as "
                "65532:65532 by hand",
            )
        if any(i > index for i in run_indexes):
            # later RUN steps of the build run as this user: keep it there, copy it over
            copy = new_instruction(self.tree, "USER " + _arguments_text(ins).strip())
            return Group(ins, [], new=copy, keep_in_builder=True)
        return Group(ins, comments)

    def _env_group(self, ins: cst.Instruction) -> Group | None:
        args = ins.args
        triples = [(args[i], args[i + 1], args[i + 2]) for i in range(0, len(args) - 2, 3)]
        runtime = [t for t in triples if t[0] not in _TOOLCHAIN_VARS and not t[0].startswith(
            "CGO_")]
        if not runtime:
            return None
        if len(runtime) == len(triples):
            key, value, sep = triples[0]
            if len(triples) == 1 and sep == "" and _SAFE_ENV_VALUE.fullmatch(value):
                text = f"ENV {key}={value}"
            else:
                text = "ENV " + _arguments_text(ins).strip()
        else:
            text = "ENV " + " ".join(f"{k}={v}" for k, v, _ in runtime)
        return Group(ins, [], new=new_instruction(self.tree, text), keep_in_builder=True)

    def _check_moved_copy(self, ins: cst.Instruction, cwd: str | None) -> None:
        chown = ins.flag("chown")
        if chown:
            user, group = _user_part(chown)
            known = _known_users(self.runtime)
            for part in (user, group):
                if part is None or part.isdigit() or part in known or "$" in part:
                    continue
                raise _Blocked(
                    ins,
                    f"--chown={chown}: {self.runtime} has no user or group `{part}`; use "
                    "numeric ids by hand",
                )
        dest = ins.args[-1] if ins.args else ""
        if not dest.startswith("/"):
            here = gofacts.workdir_at(self.tree, self.stage, ins)
            if here is None or here != cwd:
                raise _Blocked(
                    ins,
                    f"`{_shown(ins)}` after the build copies to a relative path in another "
                    "working directory than the program's; split by hand",
                )

    def _map_healthchecks(
        self, groups: list[Group], binary: str, runtime_binary: str, cwd: str | None
    ) -> None:
        for group in groups:
            ins = group.instruction
            if ins.name != "HEALTHCHECK":
                continue
            args = ins.args
            if args and args[0].upper() == "NONE":
                continue
            if not ins.is_exec_form:
                raise _Blocked(
                    ins,
                    "the HEALTHCHECK runs through a shell, which distroless/scratch images "
                    "lack; use an exec-form check that runs the binary (e.g. a `health` "
                    "subcommand), or an orchestrator probe, then split",
                )
            argv = list(args[1:])
            if not argv:
                raise _Blocked(ins, "the HEALTHCHECK has no command")
            prog = steps.basename(argv[0])
            path = gofacts.resolve(cwd, argv[0]) if "/" in argv[0] else None
            if path != binary and not (
                "/" not in argv[0] and prog == posixpath.basename(binary) and
                posixpath.dirname(binary) in gofacts.full_env(
                    self.tree, self.stage, None).get("PATH", "").split(":")
            ):
                tool = "a shell" if prog in steps.SHELLS else f"`{prog}`"
                raise _Blocked(
                    ins,
                    f"the HEALTHCHECK runs {tool}, which distroless/scratch images lack (they "
                    "have no shell, curl or wget); "
                    "make the binary check itself (a `health` subcommand) or use an "
                    "orchestrator probe, then split",
                )
            head = self._healthcheck_head(ins)
            text = f"{head} {exec_form([runtime_binary, *argv[1:]])}"
            group.new = new_instruction(self.tree, text)

    @staticmethod
    def _healthcheck_head(ins: cst.Instruction) -> str:
        """``HEALTHCHECK [flags] CMD`` as written (the keyword upper-cased)."""
        words = ins.logical.split()
        head = ["HEALTHCHECK"]
        for word in words[1:]:
            head.append(word)
            if word.upper() == "CMD":
                break
        return " ".join(head)

    def _needed_args(self, groups: list[Group]) -> list[str]:
        """``ARG`` lines the runtime stage needs for the variables its instructions use."""
        base_env = gofacts.image_env(self.image)
        defined: set[str] = set()
        lines: list[str] = []
        for group in groups:
            ins = group.instruction
            if ins.name == "HEALTHCHECK":
                continue
            refs = _var_refs(_arguments_text(group.new or ins), self.escape)
            for name in refs:
                if name in defined:
                    continue
                source = self._definition(name, ins)
                if source is None:
                    # (a global ARG is only visible in a stage that declares it again)
                    if name in base_env or name in gofacts.GO_IMAGE_VARIABLES:
                        raise _Blocked(
                            ins,
                            f"`{_shown(ins)}` uses ${name}, which only the builder image "
                            "defines; set it in the runtime stage by hand",
                        )
                    else:
                        continue  # empty in the builder too
                elif source.name == "ARG":
                    word = next(w for w in source.args if w.partition("=")[0] == name)
                    if "$" in word:
                        raise _Blocked(
                            ins,
                            f"`{_shown(ins)}` uses ${name}, whose default refers to other "
                            "variables; split by hand",
                        )
                    line = f"ARG {word}"
                else:
                    raise _Blocked(
                        ins,
                        f"`{_shown(ins)}` uses ${name}, which the builder sets for the build "
                        "only; set it in the runtime stage by hand",
                    )
                if line not in lines:
                    lines.append(line)
                defined.add(name)
            if ins.name == "ENV" and group.new is not None:
                defined.update(group.new.args[0::3])
        return lines

    def _definition(self, name: str, upto: cst.Instruction) -> cst.Instruction | None:
        """The last ENV or ARG of the stage that sets or declares ``name`` before ``upto``."""
        found: cst.Instruction | None = None
        for ins in self.stage.instructions:
            if ins is upto:
                break
            sets = ins.name == "ENV" and name in ins.args[0::3]
            declares = ins.name == "ARG" and any(w.partition("=")[0] == name for w in ins.args)
            if sets or (declares and (found is None or found.name != "ENV")):
                found = ins  # (an ENV wins over a later ARG)
        return found

    # -- runtime files ---------------------------------------------------------------------------
    def _runtime_files(self, cwd: str | None) -> list[tuple[str, str]]:
        """``(builder path, runtime path)`` of the files the program reads at run time."""
        bc = self.bc
        if bc is None:
            self.notes.append(
                "the build context is unknown, so files the program reads at run time "
                "(templates, static files, config) could not be checked: copy any it needs "
                "into the runtime stage by hand"
            )
            return []
        if bc.truncated:
            self.notes.append(
                "the build context is too large to read completely: files the program reads "
                "at run time may be missing from the runtime stage"
            )
        copies: list[tuple[str, str]] = []
        shown: list[str] = []
        missing: list[str] = []
        for item in bc.runtime_files:
            if cwd is None:
                raise _Blocked(
                    self.from_,
                    f"the program reads {item.path} at run time ({item.reason}) but the "
                    "working directory cannot be determined; split by hand",
                )
            target = posixpath.normpath(posixpath.join(cwd, item.path))
            if self._moved_copy_provides(target):
                continue
            if self._ignored(item.path) or re.search(r"[$\\`\n]", item.path):
                missing.append(item.path)
                continue
            if not self._in_builder(item.path, target):
                missing.append(item.path)
                continue
            copies.append((target, target))
            shown.append(f"{item.path} ({item.reason})")
        if shown:
            self.notes.append(
                f"the program reads {', '.join(shown)} at run time: copied into the runtime "
                f"stage, whose WORKDIR stays {cwd} so relative paths resolve"
            )
        if missing:
            self.notes.append(
                f"the program reads {', '.join(missing)} at run time, but no COPY puts it "
                f"under {cwd} in the builder (or .dockerignore leaves it out): not copied, "
                "check by hand"
            )
        return copies

    def _ignored(self, rel: str) -> bool:
        """True when the context's ``.dockerignore`` leaves ``rel`` out of the build."""
        bc = self.bc
        if bc is None or not bc.dockerignore_exists:
            return False
        try:
            text = (bc.directory / ".dockerignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return is_excluded(text, rel)

    def _context_copies(self) -> list[tuple[cst.Instruction, list[str], str]]:
        """COPY/ADD from the build context: instruction, sources, absolute destination."""
        out: list[tuple[cst.Instruction, list[str], str]] = []
        for ins in self.stage.instructions:
            if ins.name not in ("COPY", "ADD") or len(ins.args) < 2 or ins.heredocs:
                continue
            if ins.flag("from") is not None:
                continue
            workdir = gofacts.workdir_at(self.tree, self.stage, ins)
            dest = gofacts.resolve(workdir, ins.args[-1])
            if dest is not None:
                out.append((ins, list(ins.args[:-1]), dest))
        return out

    def _moved_copy_provides(self, target: str) -> bool:
        """True when a COPY/ADD that moves to the runtime stage writes at or above ``target``."""
        instructions = self.stage.instructions
        builds = gofacts.go_builds(self.tree, self.module_path, self.stage)
        last = next(i for i, x in enumerate(instructions) if x is builds[-1].instruction)
        later = instructions[last + 1 :]
        for ins, _sources, dest in self._context_copies():
            if any(ins is x for x in later) and (target == dest or target.startswith(dest + "/")):
                return True
        return False

    def _in_builder(self, rel: str, target: str) -> bool:
        """True when some COPY/ADD puts the context path ``rel`` at ``target`` in the builder."""
        bc = self.bc
        for ins, sources, dest in self._context_copies():
            as_dir = ins.args[-1].endswith("/") or len(sources) > 1
            for source in sources:
                src = posixpath.normpath(source.lstrip("/") or ".")
                if re.search(r"[*?\[$]", src):
                    continue
                if src == ".":
                    place = posixpath.join(dest, rel)
                elif rel == src or rel.startswith(src + "/"):
                    inner = rel[len(src) :].lstrip("/")
                    is_dir = source.endswith("/") or (bc is not None and src in bc.dirs)
                    if is_dir:
                        # a directory's contents go into the destination
                        place = posixpath.join(dest, inner) if inner else dest
                    else:
                        place = posixpath.join(dest, posixpath.basename(src)) if as_dir else dest
                else:
                    continue
                if posixpath.normpath(place) == target:
                    return True
        return False

    # -- the runtime stage's first lines ---------------------------------------------------
    def _runtime_header(
        self, builder: str, binary: str, runtime_binary: str, runtime_dir: str
    ) -> list[str]:
        platform = next(
            (f for f in self.from_.parsed.flags if f.lower().startswith("--platform=")), None
        )
        head = "FROM " + (f"{platform} " if platform else "") + self.runtime
        return [head, f"WORKDIR {runtime_dir}", _copy_line(builder, binary, runtime_binary)]

    def _extra_files(self, builder: str) -> list[str]:
        lines: list[str] = []
        if self.scratch or self.custom_ca:
            lines.append(
                _copy_line(builder, "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/")
            )
            if self.custom_ca and not self.scratch:
                self.notes.append(
                    "the builder adds its own CA certificates: the bundle is copied over"
                )
        if not self.scratch:
            return lines
        bc = self.bc
        if bc is None:
            self.notes.append(
                "scratch has no time-zone data; whether the program needs it could not be "
                "checked without the build context (import time/tzdata if it does)"
            )
            return lines
        if bc.uses_timezones:
            root = gofacts.goroot(self.image)
            if root is None:
                raise _Blocked(
                    self.from_,
                    "the program loads time zones and scratch has no time-zone data, but "
                    f"dockerfix does not know where {self.image} keeps Go's zoneinfo.zip; "
                    "import time/tzdata in the program, or split by hand",
                )
            lines.append(_copy_line(builder, f"{root}/lib/time/zoneinfo.zip", "/zoneinfo.zip"))
            lines.append("ENV ZONEINFO=/zoneinfo.zip")
            self.notes.append(
                "the program loads time zones: Go's zoneinfo.zip is copied (ZONEINFO)"
            )
        return lines

    def _named_from(self, builder_name: str) -> cst.Instruction:
        if self.stage.name is not None:
            return self.from_
        logical = self.from_.logical
        end = len(logical.rstrip())
        as_word = "as" if self.from_.keyword.islower() else "AS"
        return self.from_.replace_span(end, end, f" {as_word} {builder_name}")


class SingleStageGoBuild(Rule):
    """Ships the Go toolchain and sources: a single stage that builds and runs the binary.

    ## What it does
    Splits a Dockerfile with one stage that compiles a Go program on a golang
    image into a builder stage (the same stage, named ``builder`` with
    ``AS builder`` unless it has a name) and a runtime stage appended at the
    end, on ``gcr.io/distroless/static-debian13`` (option ``runtime_image`` /
    ``--runtime-image``). The runtime stage gets:

    * ``WORKDIR /`` and the binary, ``COPY --from=builder <path> /<name>``; the
      binary is the one the ``CMD``/``ENTRYPOINT`` runs (the ``-o`` path, or the
      name Go derives from the module path when there is no ``-o``);
    * the files the program reads by relative path at run time (found in the
      build context, minus what ``//go:embed`` embeds), copied from the builder
      to the same place; the runtime ``WORKDIR`` then stays the builder's so the
      paths resolve the same;
    * on ``scratch``: the CA certificates, and Go's ``zoneinfo.zip`` with
      ``ENV ZONEINFO`` when the program loads time zones; when the builder adds
      CA certificates of its own, the bundle on any runtime image;
    * what belongs to the running container, moved from the builder in its
      original order with the comments above it: ``EXPOSE``, ``LABEL``,
      ``VOLUME``, ``STOPSIGNAL``, ``MAINTAINER``, a non-root ``USER``, an
      exec-form ``HEALTHCHECK`` that runs the binary (or ``HEALTHCHECK NONE``),
      ``COPY``/``ADD`` placed after the build; ``ENV`` is copied (it stays in the
      builder too) except the Go toolchain's variables (``GOOS``, ``GOPROXY``,
      ``GOFLAGS``, ``CGO_*``, ``PATH`` ...; the runtime's ``GOGC``,
      ``GOMAXPROCS``, ``GOMEMLIMIT``, ``GODEBUG`` are copied); ``ARG`` lines for
      the build arguments those instructions use;
    * last, an exec-form ``ENTRYPOINT`` with the runtime path of the binary and
      the original arguments (plus the exec-form ``CMD`` of an
      ``ENTRYPOINT``/``CMD`` pair). ``USER 65532:65532`` is left to DFX006.

    ## Why is this bad?
    The final image carries the whole Go toolchain, the module cache and the
    source code: hundreds of megabytes to pull and store, and compilers, shells
    and package managers for an attacker to use. The program needs only its
    binary: a minimal runtime stage is smaller, faster to deploy and offers
    almost nothing to attack.

    ## Fix safety
    The runtime image has no shell, package manager or C library (distroless
    static, scratch), so the stage is left unsplit, with the reason, when the
    split could break it:

    * the build needs cgo (a cgo module, ``import "C"``, ``CGO_ENABLED=1``, a C
      toolchain, ``-race``) and the runtime image has no C library: use
      ``--runtime-image gcr.io/distroless/cc-debian13`` (glibc builder) or an
      alpine image (alpine builder), which the split then uses;
    * ``CGO_ENABLED`` is left to its default on a builder with a C compiler and
      DFX003 (which sets ``CGO_ENABLED=0``) is switched off;
    * the binary's path is unknown (``-o $VAR``, no ``-o`` and no build
      context to read the module path from, ``go install ./...``), or the
      ``CMD``/``ENTRYPOINT`` runs something else (a script, ``go run``, a
      shell, a tool), or there is none;
    * the start command or a ``HEALTHCHECK`` needs a shell or runs
      ``curl``/``wget``;
    * ``RUN`` steps after the build (other than go commands and read-only or
      binary-only ones such as ``chmod +x`` of the binary), packages installed
      that are not build tools, directories created for run time, a ``VOLUME``
      the build writes to, a named ``USER`` the runtime image does not have,
      ``ONBUILD``, ``SHELL``, Windows images, other base images than golang.

    When the build context is unknown, files the program reads at run time
    cannot be checked; the diagnostic says so. The runtime image differs from
    the builder: anything else the program expects to find (programs it
    executes, files written by ``RUN`` before the build) is not there.

    ## Example
    ```dockerfile
    FROM golang:1.23-alpine
    WORKDIR /app
    COPY . .
    RUN go build -o /app/server ./cmd/server
    EXPOSE 8080
    CMD ["/app/server"]
    ```
    becomes
    ```dockerfile
    FROM golang:1.23-alpine AS builder
    WORKDIR /app
    COPY . .
    RUN go build -o /app/server ./cmd/server
    FROM gcr.io/distroless/static-debian13
    WORKDIR /
    COPY --from=builder /app/server /server
    EXPOSE 8080
    ENTRYPOINT ["/server"]
    ```
    """

    code = "DFX001"
    name = "single-stage-go-build"
    summary = "Single-stage Go build; split into a builder and a minimal runtime stage"

    VALID = (
        Valid(
            "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
            'FROM gcr.io/distroless/static-debian13\nCOPY --from=build /app /app\n'
            'ENTRYPOINT ["/app"]\n'
        ),
        Valid("FROM node:22\nCOPY . .\nCMD node server.js\n"),
        Valid('FROM golang:1.23\nRUN go build -o /app .\nCMD ["sh", "start.sh"]\n'),
        Valid("FROM golang:1.23\nRUN go build -o /app .\nCMD /app --port $PORT\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\n"
            'EXPOSE 8080\nCMD ["/app/server"]\n',
            expected=(
                "FROM golang:1.23-alpine AS builder\nWORKDIR /app\nCOPY . .\n"
                "RUN go build -o /app/server .\n"
                "FROM gcr.io/distroless/static-debian13\nWORKDIR /\n"
                "COPY --from=builder /app/server /server\nEXPOSE 8080\n"
                'ENTRYPOINT ["/server"]\n'
            ),
        ),
        Invalid(
            "from golang:1.23-alpine\nworkdir /src\ncopy . .\n"
            "run go build -o app ./cmd/app\nentrypoint ./app --port 80\n",
            expected=(
                "from golang:1.23-alpine as builder\nworkdir /src\ncopy . .\n"
                "run go build -o app ./cmd/app\n"
                "from gcr.io/distroless/static-debian13\nworkdir /\n"
                "copy --from=builder /src/app /app\n"
                'entrypoint ["/app", "--port", "80"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23\nRUN apt-get update && apt-get install -y ffmpeg\n"
            'RUN go build -o /app .\nCMD ["/app"]\n',
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Split the file's only stage when it builds a Go binary and nothing forbids it."""
        stages = tree.stages
        if len(stages) != 1 or not gofacts.builds_go(tree):
            return tree
        for ins in tree.instructions:
            if ins is stages[0].from_:
                break
            if ins.name != "ARG":
                return tree
        stage = stages[0]
        if ctx.suppressed(stage.from_):
            return tree
        try:
            plan = _Analysis(tree, ctx, stage).run()
        except _Blocked as blocked:
            ctx.report(blocked.node, MESSAGE, fixed=False, reason=blocked.reason)
            return tree
        message = (
            f"{MESSAGE}; split into the builder stage `{plan.builder_name}` and a runtime "
            f"stage on {ctx.options.runtime_image} that receives only {plan.binary} "
            f"(as {plan.runtime_binary})"
        )
        if plan.notes:
            message += "; " + "; ".join(plan.notes)
        ctx.report(stage.from_, message, fixed=True)
        return apply_plan(tree, ctx, plan)
