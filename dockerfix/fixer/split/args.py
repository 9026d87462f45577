"""The ``ARG`` lines the runtime stage needs for the variables its moved instructions use."""

from __future__ import annotations

import functools
import re

from dockerfix import cst
from dockerfix.facts import gofacts
from dockerfix.fixer.split.candidate import Blocked, Candidate
from dockerfix.fixer.split.moves import arguments_text
from dockerfix.fixer.split.plan import Group

__all__ = ["needed_args"]


@functools.cache
def _var_ref_re() -> re.Pattern[str]:
    """``$NAME`` or the start of ``${NAME...}`` (compiled on first use: only for a split)."""
    return re.compile(r"\$(?:\{([A-Za-z_]\w*)|([A-Za-z_]\w*))")


def _var_refs(text: str, escape: str) -> list[str]:
    """Names of the ``$VAR``/``${VAR}`` references in an instruction's arguments."""
    names: list[str] = []
    for m in _var_ref_re().finditer(text):
        if m.start() > 0 and text[m.start() - 1] == escape:
            continue
        names.append(m.group(1) or m.group(2))
    return list(dict.fromkeys(names))


def _definition(candidate: Candidate, name: str, upto: cst.Instruction) -> cst.Instruction | None:
    """The last ENV or ARG of the stage that sets or declares ``name`` before ``upto``."""
    found: cst.Instruction | None = None
    for ins in candidate.stage.instructions:
        if ins is upto:
            break
        sets = ins.name == "ENV" and name in ins.args[0::3]
        declares = ins.name == "ARG" and any(w.partition("=")[0] == name for w in ins.args)
        if sets or (declares and (found is None or found.name != "ENV")):
            found = ins  # (an ENV wins over a later ARG)
    return found


def needed_args(candidate: Candidate, groups: list[Group]) -> list[str]:
    """``ARG`` lines the runtime stage needs for the variables its instructions use.

    Blocked when a variable is set by the builder or its image rather than by a build
    argument with a literal default.
    """
    base_env = gofacts.image_env(candidate.image)
    defined: set[str] = set()
    lines: list[str] = []
    for group in groups:
        ins = group.instruction
        if ins.name == "HEALTHCHECK":
            continue
        refs = _var_refs(arguments_text(group.new or ins), candidate.tree.escape)
        for name in refs:
            if name in defined:
                continue
            source = _definition(candidate, name, ins)
            if source is None:
                # (a global ARG is only visible in a stage that declares it again)
                if name in base_env or name in gofacts.GO_IMAGE_VARIABLES:
                    raise Blocked(
                        ins,
                        f"`{candidate.shown(ins)}` uses ${name}, which only the builder image "
                        "defines; set it in the runtime stage by hand",
                    )
                else:
                    continue  # empty in the builder too
            elif source.name == "ARG":
                word = next(w for w in source.args if w.partition("=")[0] == name)
                if "$" in word:
                    raise Blocked(
                        ins,
                        f"`{candidate.shown(ins)}` uses ${name}, whose default refers to other "
                        "variables; split by hand",
                    )
                line = f"ARG {word}"
            else:
                raise Blocked(
                    ins,
                    f"`{candidate.shown(ins)}` uses ${name}, which the builder sets for the build "
                    "only; set it in the runtime stage by hand",
                )
            if line not in lines:
                lines.append(line)
            defined.add(name)
        if ins.name == "ENV" and group.new is not None:
            defined.update(group.new.args[0::3])
    return lines
