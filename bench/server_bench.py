"""The language server's latency and memory, through a real LSP client (pygls's).

On a typical 60-line Go Dockerfile (made here: a naive single-stage build with comments,
ENV, LABELs and a HEALTHCHECK) in a folder with go.mod and main.go, after a warm-up:

* start: spawning ``dockerfix server`` until the ``initialize`` answer;
* diagnostics: a full-text ``didChange`` until its ``publishDiagnostics`` arrives (with
  ``debounceMs: 0``: the server's work, without the pause it waits while the user types);
* code actions: ``textDocument/codeAction`` on one finding (its quick fix, disable, fix-all);
* formatting: ``textDocument/formatting``;
* memory: the server's resident set after 10 and after 1,000 edits.

Run: ``python bench/server_bench.py [--rounds 200]``; medians (p50) and p90 are printed as a
Markdown table (docs/PERFORMANCE.md has the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _bench import machine
from lsprotocol import types
from pygls.lsp.client import LanguageClient

GO_MOD = "module example.com/shop\n\ngo 1.22\n"
MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'


def typical_dockerfile() -> str:
    """About 60 lines, as real single-stage Go Dockerfiles are written."""
    lines = ["# syntax=docker/dockerfile:1", "# The shop service.", "FROM golang:1.22-alpine"]
    lines += [f'LABEL org.opencontainers.image.label{i}="value {i}"' for i in range(12)]
    lines += ["", "# Build settings", "ENV GOFLAGS=-buildvcs=false", "ENV APP_ENV=production"]
    lines += ["WORKDIR /app", "", "# Sources"] + [f"# note {i}: keep this" for i in range(20)]
    lines += ["COPY . .", "RUN go build -o /app/shop .", "", "EXPOSE 8080"]
    lines += ["HEALTHCHECK --interval=30s CMD /app/shop -healthcheck", "", "# Start"]
    lines += ["ENV PORT=8080", 'CMD ["/app/shop"]']
    while len(lines) < 60:
        lines.insert(5, "# padding")
    return "\n".join(lines) + "\n"


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def measure(rounds: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="dockerfix-server-bench-"))
    (folder / "go.mod").write_text(GO_MOD)
    (folder / "main.go").write_text(MAIN)
    uri = (folder / "Dockerfile").as_uri()
    text = typical_dockerfile()
    client = LanguageClient("dockerfix-bench", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
    def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    start = time.perf_counter()
    await client.start_io(sys.executable, "-m", "dockerfix", "server")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=folder.as_uri(),
            initialization_options={"debounceMs": 0},  # time the work, not the pause
        )
    )
    started = time.perf_counter() - start
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="dockerfile", version=1, text=text
            )
        )
    )
    first = await published.get()
    diagnostic = (
        next(d for d in first.diagnostics if d.code == "DFX004") if first.diagnostics else None
    )
    diagnostics_ms: list[float] = []
    actions_ms: list[float] = []
    formatting_ms: list[float] = []
    memory: dict[int, int] = {}
    assert client._server is not None
    pid = client._server.pid
    version = 1
    for n in range(1, 1001):
        version += 1
        edited = text + f"# edit {n}\n"
        t0 = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await published.get()
        elapsed = (time.perf_counter() - t0) * 1000
        if n > 10 and len(diagnostics_ms) < rounds:  # after the warm-up
            diagnostics_ms.append(elapsed)
            if diagnostic is not None:
                t0 = time.perf_counter()
                await client.text_document_code_action_async(
                    types.CodeActionParams(
                        text_document=types.TextDocumentIdentifier(uri=uri),
                        range=diagnostic.range,
                        context=types.CodeActionContext(diagnostics=[diagnostic]),
                    )
                )
                actions_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await client.text_document_formatting_async(
                types.DocumentFormattingParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    options=types.FormattingOptions(tab_size=4, insert_spaces=True),
                )
            )
            formatting_ms.append((time.perf_counter() - t0) * 1000)
        if n in (10, 1000):
            memory[n] = rss_kb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]
    return {
        "start": started * 1000,
        "diagnostics": diagnostics_ms,
        "actions": actions_ms,
        "formatting": formatting_ms,
        "memory": memory,
        "lines": len(text.splitlines()),
    }


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    result = asyncio.run(measure(args.rounds))
    print(machine())
    rounds = len(result["diagnostics"])
    print(f"\nA {result['lines']}-line Dockerfile, {rounds} rounds after warm-up.\n")
    print("| measure | p50 | p90 |\n| --- | ---: | ---: |")
    for name in ("diagnostics", "actions", "formatting"):
        values = result[name]
        label = {"actions": "code actions"}.get(name, name)
        print(f"| {label} | {statistics.median(values):.1f} ms | {p(values, 0.9):.1f} ms |")
    print(f"| start to `initialize` answered | {result['start']:.0f} ms | |")
    mem = result["memory"]
    print(
        f"| memory after 10 / 1,000 edits | {mem[10] / 1024:.1f} MB / {mem[1000] / 1024:.1f} MB | |"
    )


if __name__ == "__main__":
    main()
