"""``dockerfix server`` through a real LSP client (pytest-lsp): diagnostics, code actions,
fix-all, formatting, parse errors, non-ASCII text, CRLF and many edits in a row."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

GO_MOD = "module example.com/app\n\ngo 1.22\n"
MAIN = 'package main\n\nfunc main() { println("hi") }\n'
NAIVE = (
    "FROM golang:1.22-alpine\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\n"
    "# café: a comment with é and 🚀\nCMD /app/server --port 8080\n"
)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "dockerfix", "server"]),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "main.go").write_text(MAIN)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=tmp_path.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


def uri_in(folder: Path, name: str = "Dockerfile") -> str:
    return (folder / name).as_uri()


async def open_doc(client: LanguageClient, uri: str, text: str) -> list[types.Diagnostic]:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="dockerfile", version=1, text=text
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def actions_for(
    client: LanguageClient, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction | types.Command]:
    """The code actions the server offers for ``diagnostic``."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    return actions


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        line = lines[pos.line]
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return offsets[pos.line] + i
            units += len(ch.encode("utf-16-le")) // 2
        return offsets[pos.line] + len(line)

    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.mark.asyncio
async def test_diagnostics_quick_fix_and_fix_all(client: LanguageClient, tmp_path: Path) -> None:
    uri = uri_in(tmp_path)
    diagnostics = await open_doc(client, uri, NAIVE)
    codes = {d.code for d in diagnostics}
    assert {"DFX001", "DFX002", "DFX006"} <= codes
    assert all(d.source == "dockerfix" for d in diagnostics)
    assert all(
        d.code_description and d.code_description.href.endswith(str(d.code).lower())
        for d in diagnostics
    )
    strip = next(d for d in diagnostics if d.code == "DFX004")
    actions = await actions_for(client, uri, strip)
    titles = [a.title for a in actions]
    assert any(t.startswith("dockerfix DFX004") for t in titles)
    assert "Disable DFX004 for this instruction" in titles
    assert "Disable DFX004 for this file" in titles
    assert "dockerfix: show documentation for DFX004" in titles
    actions = [a for a in actions if isinstance(a, types.CodeAction)]
    fix = next(a for a in actions if a.title.startswith("dockerfix DFX004"))
    assert fix.edit is not None
    assert fix.edit.changes is not None
    fixed = apply(NAIVE, fix.edit.changes[uri])
    assert "-ldflags '-w -s'" in fixed
    assert "FROM gcr.io/distroless" not in fixed  # that rule alone
    fix_all = next(a for a in actions if a.kind == "source.fixAll.dockerfix")
    assert fix_all.edit is not None
    assert fix_all.edit.changes is not None
    everything = apply(NAIVE, fix_all.edit.changes[uri])
    assert "FROM gcr.io/distroless/static-debian13" in everything
    assert "# café: a comment with é and 🚀" in everything
    disable = next(a for a in actions if a.title.startswith("Disable"))
    assert disable.edit is not None
    assert disable.edit.changes is not None
    assert "# dockerfix: ignore=DFX004\n" in apply(NAIVE, disable.edit.changes[uri])


@pytest.mark.asyncio
async def test_disable_for_the_file_goes_below_parser_directives(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    text = "# syntax=docker/dockerfile:1\n" + NAIVE
    diagnostics = await open_doc(client, uri, text)
    strip = next(d for d in diagnostics if d.code == "DFX004")
    actions = await actions_for(client, uri, strip)
    action = next(a for a in actions if a.title == "Disable DFX004 for this file")
    assert isinstance(action, types.CodeAction)
    assert action.edit is not None
    assert action.edit.changes is not None
    disabled = apply(text, action.edit.changes[uri])
    assert disabled.startswith("# syntax=docker/dockerfile:1\n# dockerfix: ignore-file=DFX004\n")
    # the edited document no longer has that finding, and keeps the others
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=disabled)],
        )
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    codes = {d.code for d in report.items}
    assert "DFX004" not in codes
    assert "DFX001" in codes


@pytest.mark.asyncio
async def test_show_documentation_opens_the_rule_page(
    client: LanguageClient, tmp_path: Path
) -> None:
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="dockerfix.showDocumentation", arguments=["DFX005"])
    )
    assert [d.uri for d in client.shown_documents] == [
        "https://github.com/dockerfix/dockerfix/blob/main/docs/RULES.md#dfx005"
    ]
    assert client.shown_documents[0].external


@pytest.mark.asyncio
async def test_changes_are_pushed_once_typing_pauses(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    await open_doc(client, uri, NAIVE)
    pushed: list[int] = []
    before = len(client.diagnostics[uri])
    for version in range(2, 22):  # a burst of keystrokes, faster than the debounce
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=NAIVE + "#")],
            )
        )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    pushed.append(len(client.diagnostics[uri]))
    # one push for the whole burst: nothing else arrives after it
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.6):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert pushed == [before]


@pytest.mark.asyncio
async def test_formatting_is_fix_all_as_minimal_edits(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    text = NAIVE.replace("\n", "\r\n")
    await open_doc(client, uri, text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits
    assert all(e.range.start.character == 0 for e in edits)  # whole lines: cursor survives
    formatted = apply(text, edits)
    assert '\r\nENTRYPOINT ["/server"' in formatted
    assert "\n" not in formatted.replace("\r\n", "")  # CRLF kept


@pytest.mark.asyncio
async def test_a_parse_error_is_one_diagnostic_and_no_fix(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    diagnostics = await open_doc(client, uri, "FROM golang:1.22\nRUN <<EOF\necho never closed\n")
    assert len(diagnostics) == 1
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert diagnostics[0].range.start.line == 1
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert not actions


@pytest.mark.asyncio
async def test_pull_diagnostics_and_many_edits(client: LanguageClient, tmp_path: Path) -> None:
    uri = uri_in(tmp_path)
    await open_doc(client, uri, NAIVE)
    for version in range(2, 202):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(text=NAIVE + f"# {version}\n")
                ],
            )
        )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert any(d.code == "DFX001" for d in report.items)


@pytest.mark.asyncio
async def test_an_untitled_buffer_has_no_build_context(client: LanguageClient) -> None:
    diagnostics = await open_doc(client, "untitled:Untitled-1", NAIVE)
    split = next(d for d in diagnostics if d.code == "DFX001")
    assert "build context is unknown" in split.message


@pytest.mark.asyncio
async def test_create_dockerignore_range_formatting_and_settings_changes(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    diagnostics = await open_doc(client, uri, NAIVE)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics[:1]),
        )
    )
    create = next(a for a in actions or [] if a.title == "dockerfix: create .dockerignore")
    assert create.edit is not None
    assert create.edit.document_changes is not None
    assert isinstance(create.edit.document_changes[0], types.CreateFile)
    edits = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=3, character=0), end=types.Position(line=3, character=5)
            ),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits
    assert all(e.range.start.line <= 3 <= e.range.end.line for e in edits)
    (tmp_path / ".dockerfix.toml").write_text('ignore = ["DFX006"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(tmp_path / ".dockerfix.toml").as_uri(), type=types.FileChangeType.Created
                )
            ]
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert "DFX006" not in {d.code for d in client.diagnostics[uri]}


@pytest.mark.asyncio
async def test_client_settings_select_ignore_and_actions(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = uri_in(tmp_path)
    before = await open_doc(client, uri, NAIVE)
    assert "DFX006" in {d.code for d in before}
    client.set_configuration(
        {"ignore": ["DFX006"], "showDisableActions": False}, section="dockerfix"
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    assert "DFX006" not in {d.code for d in diagnostics}
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics[:1]),
        )
    )
    assert not any(a.title.startswith("Disable") for a in actions or [])
