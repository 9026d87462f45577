"""DFX006 runs-as-root."""

from __future__ import annotations

import functools
import re

from dockerfix import cst
from dockerfix.facts import gofacts, shellwords, stagegraph
from dockerfix.fixer import edits
from dockerfix.fixer.base import Invalid, Rule, RuleContext, Valid
from dockerfix.fixer.style import new_instruction
from dockerfix.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dockerfix.facts.context import BuildContext

NONROOT_USER = "65532:65532"

# Images that run as root unless told otherwise and set up no user of their own, so that a
# numeric USER cannot clash with one (names without registry mirrors, see
# ``stagegraph.official_name``).
_ROOT_BY_DEFAULT = frozenset(
    {
        "scratch", "alpine", "busybox", "debian", "ubuntu", "golang", "fedora", "centos",
        "rockylinux", "almalinux", "amazonlinux", "oraclelinux", "archlinux", "photon",
        "opensuse/leap", "opensuse/tumbleweed",
    }
)  # fmt: skip
_ROOT_BY_DEFAULT_PREFIXES = (
    "gcr.io/distroless/",
    "registry.access.redhat.com/ubi",
    "registry.redhat.io/ubi",
    "redhat/ubi",
    "cgr.dev/chainguard/static",
    "cgr.dev/chainguard/glibc-dynamic",
)

# The patterns are compiled on first use: most files have no listen flag, no ENV of a port.


@functools.cache
def _listen_env_re() -> re.Pattern[str]:
    """An environment variable that likely sets the address or port the program listens on."""
    return re.compile(
        r"(?i)^(?:PORT|ADDR|ADDRESS|(?:HTTPS?|SERVER|APP|WEB|GRPC|METRICS)_(?:PORT|ADDR|ADDRESS))$"
        r"|LISTEN|BIND"
    )


@functools.cache
def _listen_flag_re() -> re.Pattern[str]:
    """A command-line flag that likely sets the address or port (starts with '-')."""
    return re.compile(r"(?i)^--?[\w.-]*(?:port|listen|addr|address|bind)[\w.-]*$")


@functools.cache
def _port_value_re() -> re.Pattern[str]:
    """A port, or ``host:port``/``[ipv6]:port``: group 1 is the port."""
    return re.compile(r"^(?:(?:\[[0-9a-fA-F:.]*\]|[\w.-]*):)?(\d{1,5})$")


def _image_known_root(image: str) -> bool:
    name = stagegraph.official_name(image)
    return name in _ROOT_BY_DEFAULT or name.startswith(_ROOT_BY_DEFAULT_PREFIXES)


def _image_static_or_distroless(image: str) -> bool:
    name = stagegraph.official_name(image)
    return name == "scratch" or "distroless" in name or gofacts.is_static_runtime(image)


def _nonroot_tag(image: str) -> bool:
    return "nonroot" in gofacts.image_tag(image)


def _is_root(user: str) -> bool:
    """True for ``root``, ``0``, ``0:0``, ``root:root``, ``root:wheel`` ... (uid 0)."""
    name = user.strip().split(":", 1)[0].strip()
    return name == "root" or (name.isdigit() and int(name) == 0)


def _port_of(value: str) -> int | None:
    m = _port_value_re().match(value.strip())
    return int(m.group(1)) if m else None


class _Blocker(Record):
    node: cst.Instruction
    reason: str


def _low_ports(ins: cst.Instruction, env: dict[str, str]) -> tuple[list[str], list[str]]:
    """(ports below 1024, ports that cannot be known) of an EXPOSE."""
    low: list[str] = []
    unknown: list[str] = []
    for word in ins.args:
        value = gofacts.expand(word, env)
        if value is None:
            unknown.append(word)
            continue
        port = value.strip("'\"").split("/", 1)[0]
        first = port.split("-", 1)[0]
        if not first.isdigit():
            unknown.append(word)
        elif int(first) < 1024:
            low.append(word)
    return low, unknown


def _command_words(ins: cst.Instruction) -> list[str]:
    if ins.is_exec_form:
        return list(ins.args)
    words = shellwords.split_words(ins.shell_text or "")
    return words or []


def _listen_port_in_command(words: list[str]) -> str | None:
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        # the pattern starts with '-' (which has no other case): most words need no regex
        if not name.startswith("-") or not _listen_flag_re().match(name):
            continue
        if not eq:
            value = words[i + 1] if i + 1 < len(words) else ""
        port = _port_of(value)
        if port is not None and port < 1024:
            return word if eq else f"{word} {value}"
    return None


class RunsAsRoot(Rule):
    """The runtime stage runs the application as root.

    ## What it does
    In the runtime stage of a Go Dockerfile (the last stage, when it copies the binary from
    a Go build stage with ``COPY --from``, or when it is on distroless or ``scratch``) that
    has no ``USER`` or a root one (``root``, ``0``, ``0:0``, ``root:root``), sets the user
    to ``USER 65532:65532``: a root ``USER`` line of the stage gets the new value, otherwise
    a new line goes right before the final ``ENTRYPOINT``/``CMD`` (or at the end). An
    existing non-root ``USER`` is kept, and a ``:nonroot`` image tag counts as non-root.
    A ``scratch`` or distroless final stage with no ``ENTRYPOINT``/``CMD`` starts nothing
    (it collects build artefacts for ``docker build --output``) and is left alone.

    The user is numeric because Kubernetes' ``runAsNonRoot`` cannot verify a user name and
    ``scratch`` has no ``/etc/passwd``; 65532 is distroless's ``nonroot`` user.

    ## Why is this bad?
    A process that runs as root in the container is root on the host's kernel: any escape
    from the container, or any write to a mounted volume, happens with full privileges.
    Distroless images run as root unless the ``:nonroot`` tag or a ``USER`` says otherwise.

    ## Fix safety
    Not applied, with the reason reported, when the change could break the container:

    * the image ``EXPOSE``s a port below 1024 (or one whose number is not known), or an
      ``ENV`` or start-command flag makes the program listen on one: a non-root process
      cannot bind it (under Kubernetes, without the ``NET_BIND_SERVICE`` capability);
    * the stage declares a ``VOLUME`` (created owned by root, so not writable);
    * the runtime image has ``RUN`` steps: on distroless or ``scratch`` they write files
      owned by root, elsewhere they install packages or set up users the tool cannot follow;
    * a ``COPY --chown`` hands files to another user (that user is the one to run as);
    * the working directory, or a ``COPY`` destination, is inside ``/root``: root's home
      folder is mode 0700 in alpine, Debian and distroless, so no other user can enter it
      (``WORKDIR /root/`` with ``CMD ["./app"]``, as Docker's multi-stage example has it);
    * the base image is not a well-known one that runs as root by default (it may create
      and use a user of its own);
    * the file is a single-stage build on the Go toolchain image (DFX001 splits it first and
      the new runtime stage gets the ``USER``), or the final stage builds Go itself;
    * the program's source (in the build context) writes a file or folder by a relative
      path, or an absolute one outside ``/tmp`` (``os.WriteFile``, ``os.Create``,
      ``os.MkdirAll``, ``OpenFile`` with ``O_CREATE``, SQLite/bolt/badger databases, log
      files): the folders the image creates are root's;
    * it needs root: it talks to the Docker/containerd/CRI socket (go.mod requires such a
      client), listens on a literal port below 1024 in its code, opens raw sockets, mounts
      or chroots.

    A program that writes by a path it is given at run time, into directories copied
    without ``--chown``, fails as a non-root user: give those directories
    ``--chown=65532:65532`` (a ``USER`` set from a build argument or variable is taken as
    deliberate and left alone).

    ## Example
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN CGO_ENABLED=0 go build -o /app .
    FROM gcr.io/distroless/static-debian13
    COPY --from=builder /app /app
    ENTRYPOINT ["/app"]
    ```
    gets, before its ``ENTRYPOINT``:
    ```dockerfile
    USER 65532:65532
    ```
    """

    code = "DFX006"
    name = "runs-as-root"
    summary = "The runtime stage runs as root; add USER 65532:65532"

    VALID = (
        Valid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=builder /app /app\n"
            'USER nonroot:nonroot\nENTRYPOINT ["/app"]\n'
        ),
        Valid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=builder /app /app\n"
            'ENTRYPOINT ["/app"]\n'
        ),
        Valid("FROM node:22 AS web\nRUN npm ci\nFROM nginx\nCOPY --from=web /dist /html\n"),
    )
    INVALID = (
        Invalid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=builder /app /app\n"
            'ENTRYPOINT ["/app"]\n',
            expected=(
                "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
                "FROM gcr.io/distroless/static-debian13\nCOPY --from=builder /app /app\n"
                'USER 65532:65532\nENTRYPOINT ["/app"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            'FROM scratch\nCOPY --from=builder /app /app\nUSER root\nENTRYPOINT ["/app"]\n',
            expected=(
                "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
                "FROM scratch\nCOPY --from=builder /app /app\nUSER 65532:65532\n"
                'ENTRYPOINT ["/app"]\n'
            ),
        ),
        Invalid(
            "FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=builder /app /app\n"
            'EXPOSE 80\nENTRYPOINT ["/app"]\n',
            expected=None,
        ),
    )

    def apply(self, tree: cst.Dockerfile, ctx: RuleContext) -> cst.Dockerfile:
        """Give the runtime stage a non-root user when nothing in the image speaks against it."""
        stages = tree.stages
        if not stages or not gofacts.builds_go(tree):
            return tree
        final = stages[-1]
        stages_chain = stagegraph.chain(tree, final)
        image = gofacts.stage_image(tree, stages_chain[-1])
        if gofacts.is_windows_image(image):
            return tree
        instructions = [i for st in reversed(stages_chain) for i in st.instructions]
        users = [i for i in instructions if i.name == "USER"]
        last_user = users[-1] if users else None
        starts = [i for i in final.instructions if i.name in ("ENTRYPOINT", "CMD")]
        anchor = min(
            (i for i in (_last(starts, "ENTRYPOINT"), _last(starts, "CMD")) if i is not None),
            key=lambda i: _index(final, i),
            default=None,
        )
        if any(
            ctx.suppressed(node)
            for node in (final.from_, last_user, anchor)
            if node is not None and _in_tree(tree, node)
        ):
            return tree

        env = stagegraph.chain_env(tree, stages_chain)
        if last_user is not None:
            written = last_user.args[0] if last_user.args else ""
            value = gofacts.expand(written, env)
            if value is None or not value.strip() or not _is_root(value):
                return tree  # a non-root user, or one chosen at build time: keep it
            if "$" in written:
                ctx.report(
                    last_user,
                    "the runtime stage runs as root by default",
                    fixed=False,
                    reason=(
                        f"USER {written} comes from a build argument whose default is root; "
                        f"make its default {NONROOT_USER} by hand"
                    ),
                )
                return tree
        elif _nonroot_tag(image):
            return tree

        builds_here = any(gofacts.go_builds(tree, stage=st) for st in stages_chain)
        if len(stages) == 1 or builds_here:
            what = "single-stage build" if len(stages) == 1 else "the final stage builds Go itself"
            ctx.report(
                final.from_,
                f"the image runs as root ({what})",
                fixed=False,
                reason=(
                    "the stage that compiles the program also runs it, and the toolchain "
                    "image's user set-up is not the tool's to change; once it is split into a "
                    "builder and a minimal runtime stage (DFX001), that stage gets "
                    f"USER {NONROOT_USER}"
                ),
            )
            return tree
        is_runtime = bool(stagegraph.go_build_stages(tree, final)) or _image_static_or_distroless(
            image
        )
        if not is_runtime:
            return tree
        if _image_static_or_distroless(image) and not any(
            i.name in ("ENTRYPOINT", "CMD") for i in instructions
        ):
            return tree  # nothing to run: an artefact stage for `docker build --output`

        blockers = self._blockers(tree, stages_chain, image, env, ctx.build_context)
        if blockers:
            ctx.report(
                blockers[0].node,
                "the runtime stage runs as root",
                fixed=False,
                reason="; ".join(dict.fromkeys(b.reason for b in blockers)),
            )
            return tree

        caveats = (
            []
            if ctx.build_context is not None
            else [
                "the build context is unknown, so whether the program writes files or needs "
                f"root could not be checked: a folder it writes must be writable by {NONROOT_USER}"
            ]
        )
        if last_user is not None and any(last_user is i for i in final.instructions):
            start, end = edits.arguments_span(last_user)
            new = last_user.replace_span(start, end, NONROOT_USER)
            ctx.touch(last_user)
            ctx.report(
                last_user,
                f"the runtime stage runs as root; use the non-root USER {NONROOT_USER}",
                fixed=True,
                caveats=caveats,
            )
            return tree.replace(last_user, new)
        ctx.report(
            final.from_,
            f"the runtime stage runs as root; added USER {NONROOT_USER}",
            fixed=True,
            caveats=caveats,
        )
        return _insert_user(tree, ctx, final, anchor)

    # -- analysis -------------------------------------------------------------------------
    def _blockers(
        self,
        tree: cst.Dockerfile,
        stages_chain: list[cst.Stage],
        image: str,
        env: dict[str, str],
        context: BuildContext | None,
    ) -> list[_Blocker]:
        out: list[_Blocker] = []
        final = stages_chain[0]
        out += _program_blockers(final.from_, context)
        instructions = [i for st in reversed(stages_chain) for i in st.instructions]
        if not _image_known_root(image):
            out.append(
                _Blocker(
                    final.from_,
                    f"the base image `{image}` is not one known to run as root with no user "
                    f"of its own; check which user it sets up, then add USER "
                    f"{NONROOT_USER} (or that user) by hand",
                )
            )
        for ins in instructions:
            if ins.name == "EXPOSE":
                low, unknown = _low_ports(ins, env)
                if low:
                    out.append(
                        _Blocker(
                            ins,
                            f"it exposes port {', '.join(low)} (below 1024), which a non-root "
                            "user cannot bind under Kubernetes without the NET_BIND_SERVICE "
                            f"capability; move the program to a port >= 1024, then add USER "
                            f"{NONROOT_USER}",
                        )
                    )
                if unknown:
                    out.append(
                        _Blocker(
                            ins,
                            f"the exposed port {', '.join(unknown)} is not known here; if it "
                            f"is 1024 or above, add USER {NONROOT_USER} by hand",
                        )
                    )
            elif ins.name == "ENV":
                args = ins.args
                for k in range(0, len(args) - 2, 3):
                    port = _port_of(args[k + 1].strip("'\""))
                    if port is not None and port < 1024 and _listen_env_re().search(args[k]):
                        out.append(
                            _Blocker(
                                ins,
                                f"ENV {args[k]}={args[k + 1]} makes the program listen on a "
                                "port below 1024, which a non-root user cannot bind; use a "
                                f"port >= 1024, then add USER {NONROOT_USER}",
                            )
                        )
            elif ins.name in ("ENTRYPOINT", "CMD"):
                flag = _listen_port_in_command(_command_words(ins))
                if flag is not None:
                    out.append(
                        _Blocker(
                            ins,
                            f"`{flag}` makes the program listen on a port below 1024, which "
                            f"a non-root user cannot bind; use a port >= 1024, then add USER "
                            f"{NONROOT_USER}",
                        )
                    )
            elif ins.name == "VOLUME":
                out.append(
                    _Blocker(
                        ins,
                        f"VOLUME {' '.join(ins.args)} is created owned by root, so a non-root "
                        "user could not write to it; create the directory with COPY "
                        f"--chown={NONROOT_USER} from the builder, then add USER {NONROOT_USER}",
                    )
                )
            elif ins.name == "RUN":
                if _image_static_or_distroless(image):
                    why = (
                        "RUN steps in the runtime stage write files owned by root that a "
                        "non-root user may need to write"
                    )
                else:
                    why = (
                        "the runtime image has RUN steps (packages, users, files) whose user "
                        "set-up the tool cannot follow"
                    )
                out.append(
                    _Blocker(
                        ins,
                        f"{why}; check that the program needs nothing they create to be "
                        f"writable, then add USER {NONROOT_USER} by hand",
                    )
                )
            elif ins.name in ("COPY", "ADD"):
                owner = ins.flag("chown")
                if owner is None:
                    continue
                value = gofacts.expand(owner, env)
                user = (value or "").split(":", 1)[0]
                if value is None or user not in ("root", "0", "65532", "nonroot"):
                    out.append(
                        _Blocker(
                            ins,
                            f"--chown={owner} hands files to another user; the program "
                            "probably runs as that user: add the matching USER by hand",
                        )
                    )
        out += _root_home_blockers(tree, final)
        return out


def _in_root_home(path: str | None) -> bool:
    return path is not None and (path == "/root" or path.startswith("/root/"))


def _root_home_named(path: str | None) -> str:
    if path == "/root":
        return "/root, root's home folder"
    return f"{path}, inside /root, root's home folder"


def _root_home_blockers(tree: cst.Dockerfile, final: cst.Stage) -> list[_Blocker]:
    """Root's home folder (mode 0700 in alpine, Debian and distroless) as the container's
    working directory or as the place of what it copies in: no other user can enter it."""
    facts = gofacts.stage_facts(tree, final)
    workdir = facts.workdir(None)
    for ins in final.instructions:
        if ins.name in ("COPY", "ADD") and len(ins.args) > 1:
            dest = gofacts.resolve(facts.workdir(ins), ins.args[-1].strip("'\""))
            if _in_root_home(dest):
                return [
                    _Blocker(
                        ins,
                        f"it copies into {_root_home_named(dest)}, which only root may enter "
                        f"(mode 0700); copy to another folder (/app, /usr/local/bin), then add "
                        f"USER {NONROOT_USER}",
                    )
                ]
    if _in_root_home(workdir):
        anchor = next((i for i in reversed(final.instructions) if i.name == "WORKDIR"), final.from_)
        return [
            _Blocker(
                anchor,
                f"the working directory is {_root_home_named(workdir)}, which only root may "
                f"enter (mode 0700); use another WORKDIR, then add USER {NONROOT_USER}",
            )
        ]
    return []


def _program_blockers(anchor: cst.Instruction, context: BuildContext | None) -> list[_Blocker]:
    """What the program's source says against a non-root user: root-only work, writes."""
    if context is None:
        return []
    from dockerfix.facts.program import needs_writable

    out = [
        _Blocker(
            anchor,
            f"{reason}; run it as root on purpose, or change it, then add USER {NONROOT_USER}",
        )
        for reason in context.root_reasons
    ]
    written = [w for w in context.writes if needs_writable(w)]
    if written:
        shown = ", ".join(f"{w.path} ({w.reason})" for w in written[:3])
        out.append(
            _Blocker(
                anchor,
                f"the program writes {shown}, which a non-root user cannot write in a folder "
                "the image creates owned by root; make it writable to "
                f"{NONROOT_USER} (COPY --chown={NONROOT_USER} of the folder from the builder), "
                f"then add USER {NONROOT_USER}",
            )
        )
    return out


def _last(items: list[cst.Instruction], name: str) -> cst.Instruction | None:
    found = [i for i in items if i.name == name]
    return found[-1] if found else None


def _index(stage: cst.Stage, ins: cst.Instruction) -> int:
    return next(k for k, i in enumerate(stage.instructions) if i is ins)


def _in_tree(tree: cst.Dockerfile, node: cst.Instruction) -> bool:
    return any(n is node for n in tree.body)


def _insert_user(
    tree: cst.Dockerfile, ctx: RuleContext, final: cst.Stage, anchor: cst.Instruction | None
) -> cst.Dockerfile:
    """``USER 65532:65532`` before ``anchor`` (and its comments), or after the stage's end."""
    body = tree.body
    if anchor is not None:
        k = next(i for i, n in enumerate(body) if n is anchor)
        j = k
        while j > 0 and isinstance(body[j - 1], cst.Comment):
            j -= 1
        user = new_instruction(tree, f"USER {NONROOT_USER}", indent=anchor.indent)
        nodes: list[cst.BodyNode] = [user]
        if j > 0 and isinstance(body[j - 1], cst.BlankLine):
            nodes.append(cst.BlankLine("", tree.newline))
        return tree.insert_before(body[j], nodes)
    last = final.instructions[-1] if final.instructions else final.from_
    user = new_instruction(tree, f"USER {NONROOT_USER}", indent=last.indent)
    if last.code.endswith(("\n", "\r")):
        return tree.insert_after(last, [user])
    # The file ends without a newline: the last line gets one (and counts as changed), and
    # the new last line goes without, as the file did.
    ctx.touch(last)
    return tree.append([user.with_changes(newline="")])
