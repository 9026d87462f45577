"""The LSP handlers of ``dockerfix server``.

Every request runs the fixer the way the command line's stdin mode does (``runner``: the
document's settings, its build context, the same rules), on the text the editor holds; the
result of a document version is kept, so a code action after the diagnostics costs no
second fix run. A document that does not parse gets one diagnostic at the error and no
fixes; the server never crashes on a document.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dockerfix import __version__
from dockerfix.record import Record
from dockerfix.server.edits import text_edits, utf16_column

SOURCE = "dockerfix"
FIX_ALL = "source.fixAll.dockerfix"
DOCS = "https://github.com/dockerfix/dockerfix/blob/main/docs/RULES.md#"
SHOW_DOCUMENTATION = "dockerfix.showDocumentation"
#: Seconds of quiet after a change before its diagnostics are pushed (typing stays smooth).
DEBOUNCE = 0.15


class Checked(Record):
    """What one version of a document gave: the outcome, keyed by its text."""

    text: str
    outcome: Any  # dockerfix.runner.Outcome


def path_of(uri: str) -> str | None:
    """The file path of a ``file:`` URI (None for untitled buffers: no build context)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return os.path.normpath(unquote(parsed.path))


class ClientSettings(Record):
    """What the editor's ``dockerfix`` settings say (``workspace/configuration``)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    runtime_image: str | None = None
    fix_all: bool = True
    show_disable_actions: bool = True
    debounce: float = DEBOUNCE  # seconds; ``debounceMs`` in the editor's settings


def settings_from(value: object) -> ClientSettings:
    """``ClientSettings`` from the editor's JSON (unknown or ill-typed keys ignored)."""
    if not isinstance(value, dict):
        return ClientSettings()

    def names(key: str) -> tuple[str, ...] | None:
        got = value.get(key)
        return tuple(str(v) for v in got) if isinstance(got, list) else None

    image = value.get("runtimeImage")
    delay = value.get("debounceMs")
    debounce = (
        min(float(delay), 5000.0) / 1000
        if isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay >= 0
        else DEBOUNCE
    )
    return ClientSettings(
        select=names("select"),
        ignore=names("ignore"),
        runtime_image=image if isinstance(image, str) and image.strip() else None,
        fix_all=value.get("fixAll", True) is not False,
        show_disable_actions=value.get("showDisableActions", True) is not False,
        debounce=debounce,
    )


class DockerfixServer(LanguageServer):
    """A pygls server that keeps the last fix result of each document."""

    def __init__(self) -> None:
        super().__init__("dockerfix", __version__)
        self.checked: dict[str, Checked] = {}
        self.settings = ClientSettings()
        self.initialization: object = None  # the client's initializationOptions
        self.pending: dict[str, asyncio.TimerHandle] = {}  # debounced pushes, by document

    def overrides(self, select: tuple[str, ...] | None = None) -> Any:
        """The runner's overrides: the editor's settings on top of the project's files."""
        from dockerfix.runner import Overrides, check_rule_names

        s = self.settings
        chosen = select if select is not None else s.select
        names = (chosen or ()) + (s.ignore or ())
        if check_rule_names(names) is not None:  # a typo in the editor's settings: ignore them
            chosen, ignore = select, None
        else:
            ignore = s.ignore
        return Overrides(select=chosen, ignore=ignore, runtime_image=s.runtime_image)

    def check(self, uri: str) -> Checked:
        """The fix outcome of the document's current text (computed once per text)."""
        from dockerfix.runner import OptionsCache, stdin_outcome

        text = self.workspace.get_text_document(uri).source
        cached = self.checked.get(uri)
        if cached is not None and cached.text == text:
            return cached
        cache = OptionsCache(self.overrides())
        outcome = stdin_outcome(text.encode("utf-8"), path_of(uri), cache)
        checked = Checked(text, outcome)
        self.checked[uri] = checked
        return checked

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The document's findings as LSP diagnostics."""
        checked = self.check(uri)
        lines = checked.text.splitlines()
        outcome = checked.outcome
        if outcome.error is not None:
            error = outcome.error
            line = max(error.line - 1, 0)
            text = lines[line] if line < len(lines) else ""
            column = utf16_column(text, max(error.column - 1, 0))
            where = types.Position(line=line, character=column)
            return [
                types.Diagnostic(
                    range=types.Range(start=where, end=where),
                    message=error.message,
                    severity=types.DiagnosticSeverity.Error,
                    source=SOURCE,
                )
            ]
        out: list[types.Diagnostic] = []
        for d in outcome.diagnostics:
            start_line = min(max(d.line - 1, 0), max(len(lines) - 1, 0))
            end_line = min(max(d.end_line - 1, start_line), max(len(lines) - 1, 0))
            start_text = lines[start_line] if lines else ""
            end_text = lines[end_line] if lines else ""
            message = d.message if d.fixed else f"{d.message} (not fixed: {d.reason})"
            out.append(
                types.Diagnostic(
                    range=types.Range(
                        start=types.Position(
                            line=start_line, character=utf16_column(start_text, d.column - 1)
                        ),
                        end=types.Position(
                            line=end_line, character=utf16_column(end_text, len(end_text))
                        ),
                    ),
                    message=message,
                    severity=types.DiagnosticSeverity.Warning
                    if d.fixed
                    else types.DiagnosticSeverity.Information,
                    code=d.code,
                    code_description=types.CodeDescription(href=DOCS + d.code.lower()),
                    source=SOURCE,
                    data={"code": d.code, "fixed": d.fixed},
                )
            )
        return out

    def fixed_text(self, uri: str, select: list[str] | None = None) -> str | None:
        """The document with every fix (or only ``select``'s) applied; None on an error."""
        checked = self.check(uri)
        if checked.outcome.error is not None:
            return None
        if select is None:
            return checked.outcome.new  # type: ignore[no-any-return]
        from dockerfix.runner import OptionsCache, stdin_outcome

        cache = OptionsCache(self.overrides(select=tuple(select)))
        outcome = stdin_outcome(checked.text.encode("utf-8"), path_of(uri), cache)
        return None if outcome.error is not None else outcome.new

    def publish(self, uri: str) -> None:
        """Push the document's diagnostics now (a debounced push waiting for it is dropped)."""
        self.cancel_push(uri)
        if uri not in self.workspace.text_documents:
            return  # closed meanwhile
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=self.diagnostics(uri))
        )

    def cancel_push(self, uri: str) -> None:
        """Drop the debounced push waiting for the document, if any."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()

    def publish_later(self, uri: str) -> None:
        """Push the document's diagnostics once it has not changed for ``debounce`` seconds."""
        delay = self.settings.debounce
        if delay <= 0:
            self.publish(uri)
            return
        self.cancel_push(uri)
        self.pending[uri] = asyncio.get_running_loop().call_later(delay, self.publish, uri)


server = DockerfixServer()


async def _load_settings(ls: DockerfixServer) -> None:
    """Ask the editor for the ``dockerfix`` section (or use the initialization options)."""
    params = ls.client_capabilities
    supports = bool(params.workspace and params.workspace.configuration)
    value: object = None
    if supports:
        try:
            items = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SOURCE)])
            )
            value = items[0] if items else None
        except Exception:  # an editor that cannot answer: keep the defaults
            value = None
    else:
        value = ls.initialization
    ls.settings = settings_from(value)
    ls.checked.clear()


@server.feature(types.INITIALIZE)
def initialize(ls: DockerfixServer, params: types.InitializeParams) -> None:
    """Keep the initialization options (settings for clients without configuration)."""
    ls.initialization = params.initialization_options


@server.feature(types.INITIALIZED)
async def initialized(ls: DockerfixServer, params: types.InitializedParams) -> None:
    """Read the editor's settings once the session is up."""
    await _load_settings(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def configuration_changed(
    ls: DockerfixServer, params: types.DidChangeConfigurationParams
) -> None:
    """The editor's settings changed: read them, check the open documents again."""
    await _load_settings(ls)
    for uri in list(ls.workspace.text_documents):
        ls.publish(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: DockerfixServer, params: types.DidOpenTextDocumentParams) -> None:
    """Diagnostics on open."""
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: DockerfixServer, params: types.DidChangeTextDocumentParams) -> None:
    """Diagnostics on change, once typing pauses (``debounceMs``)."""
    ls.publish_later(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: DockerfixServer, params: types.DidSaveTextDocumentParams) -> None:
    """Diagnostics on save (the build context may have changed beside the file)."""
    ls.checked.pop(params.text_document.uri, None)
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: DockerfixServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the document (and a push waiting for it)."""
    uri = params.text_document.uri
    ls.checked.pop(uri, None)
    ls.cancel_push(uri)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
    ),
)
def pull_diagnostics(
    ls: DockerfixServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    """Diagnostics on request (pull model)."""
    return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics(params.text_document.uri))


def _edit(uri: str, old: str, new: str) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: text_edits(old, new)})


def _insert_line(uri: str, line: int, text: str) -> types.WorkspaceEdit:
    at = types.Position(line=line, character=0)
    return types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=text)]}
    )


def _disable(
    ls: DockerfixServer, uri: str, diagnostic: types.Diagnostic, code: str
) -> list[types.CodeAction]:
    """The actions that disable ``code`` for this instruction and for the file (comments)."""
    text = ls.check(uri).text
    lines = text.splitlines(keepends=True)
    line = diagnostic.range.start.line
    newline = "\r\n" if "\r\n" in text else "\n"
    current = lines[line] if line < len(lines) else ""
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    # the file-wide comment goes below the parser directives (``# syntax=``, ``# escape=``),
    # which BuildKit reads only at the very top
    top = 0
    while top < len(lines) and _is_parser_directive(lines[top]):
        top += 1
    return [
        types.CodeAction(
            title=f"Disable {code} for this instruction",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=_insert_line(uri, line, f"{indent}# dockerfix: ignore={code}{newline}"),
        ),
        types.CodeAction(
            title=f"Disable {code} for this file",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=_insert_line(uri, top, f"# dockerfix: ignore-file={code}{newline}"),
        ),
    ]


def _is_parser_directive(line: str) -> bool:
    """True for a ``# key=value`` line BuildKit reads as a parser directive."""
    body = line.strip()
    if not body.startswith("#"):
        return False
    key, eq, _ = body[1:].partition("=")
    return bool(eq) and key.strip().lower() in ("syntax", "escape", "check")


def _show_documentation(diagnostic: types.Diagnostic, code: str) -> types.CodeAction:
    """Open the rule's documentation (``window/showDocument`` through a command)."""
    return types.CodeAction(
        title=f"dockerfix: show documentation for {code}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(
            title=f"Show documentation for {code}",
            command=SHOW_DOCUMENTATION,
            arguments=[code],
        ),
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
)
def code_actions(ls: DockerfixServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """A quick fix per fixable finding, "disable here", and fix-all."""
    uri = params.text_document.uri
    checked = ls.check(uri)
    if checked.outcome.error is not None:
        return []
    only = params.context.only
    actions: list[types.CodeAction] = []
    wants_quickfix = not only or any(k.startswith(types.CodeActionKind.QuickFix) for k in only)
    wants_fix_all = not only or any(
        FIX_ALL.startswith(k) or k == types.CodeActionKind.Source for k in only
    )
    if wants_quickfix:
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            code = str(data.get("code") or diagnostic.code or "")
            if diagnostic.source != SOURCE or not code:
                continue
            if data.get("fixed"):
                new = ls.fixed_text(uri, [code])
                if new is not None and new != checked.text:
                    actions.append(
                        types.CodeAction(
                            title=f"dockerfix {code}: {diagnostic.message.split(';')[0]}",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            edit=_edit(uri, checked.text, new),
                            is_preferred=code in ("DFX002", "DFX004", "DFX005"),
                        )
                    )
            if ls.settings.show_disable_actions:
                actions += _disable(ls, uri, diagnostic, code)
            actions.append(_show_documentation(diagnostic, code))
    created = checked.outcome.to_create
    if wants_quickfix and created:
        for target, content in sorted(created.items()):
            new_uri = Path(os.path.abspath(target)).as_uri()
            actions.append(
                types.CodeAction(
                    title=f"dockerfix: create {os.path.basename(target)}",
                    kind=types.CodeActionKind.QuickFix,
                    edit=types.WorkspaceEdit(
                        document_changes=[
                            types.CreateFile(
                                uri=new_uri, options=types.CreateFileOptions(ignore_if_exists=True)
                            ),
                            types.TextDocumentEdit(
                                text_document=types.OptionalVersionedTextDocumentIdentifier(
                                    uri=new_uri, version=None
                                ),
                                edits=[
                                    types.TextEdit(
                                        range=types.Range(
                                            start=types.Position(line=0, character=0),
                                            end=types.Position(line=0, character=0),
                                        ),
                                        new_text=content,
                                    )
                                ],
                            ),
                        ]
                    ),
                )
            )
    if wants_fix_all and ls.settings.fix_all:
        new = ls.fixed_text(uri)
        if new is not None and new != checked.text:
            actions.append(
                types.CodeAction(
                    title="dockerfix: fix all", kind=FIX_ALL, edit=_edit(uri, checked.text, new)
                )
            )
    return actions


@server.command(SHOW_DOCUMENTATION)
async def show_documentation(ls: DockerfixServer, *args: Any) -> None:
    """Ask the editor to open the rule's documentation in a browser."""
    code = next((a for a in _flatten(args) if isinstance(a, str)), "")
    if not code.upper().startswith("DFX"):
        return
    await ls.window_show_document_async(
        types.ShowDocumentParams(uri=DOCS + code.lower(), external=True)
    )


def _flatten(args: tuple[Any, ...]) -> list[Any]:
    """The command's arguments, whether pygls passes them one by one or as one list."""
    out: list[Any] = []
    for a in args:
        out += a if isinstance(a, list) else [a]
    return out


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: DockerfixServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    """Every fix the settings select, as minimal edits."""
    uri = params.text_document.uri
    new = ls.fixed_text(uri)
    old = ls.check(uri).text
    return [] if new is None else text_edits(old, new)


@server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
def range_formatting(
    ls: DockerfixServer, params: types.DocumentRangeFormattingParams
) -> list[types.TextEdit]:
    """The formatting edits that touch the selected lines."""
    uri = params.text_document.uri
    new = ls.fixed_text(uri)
    if new is None:
        return []
    first, last = params.range.start.line, params.range.end.line
    return [
        e
        for e in text_edits(ls.check(uri).text, new)
        if e.range.start.line <= last and e.range.end.line >= first
    ]


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched_files(ls: DockerfixServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Settings or build-context files changed: check every open document again."""
    ls.checked.clear()  # each check reads the settings again (cached by path and content)
    for uri in list(ls.workspace.text_documents):
        ls.publish(uri)


def main() -> None:
    """Serve over stdio."""
    server.start_io()
