"""The tagger's rules (``processors/signals.py`` and its rule modules) and the linking core
(``processors/linking.py``) compiled with mypyc.

The modules (``MODULES``) stay plain, type-checked Python; mypyc (shipped with mypy, a dev
dependency) compiles them, as one group so that calls between them stay native, to
``processors/<module>.cpython-*.so`` plus their shared runtime ``processors/rules__mypyc.*.so``,
which Python imports in preference to the sources. On the seed article the rules then cost ~40%
less (bench/tagger.py); the linker links about a quarter more reports per CPU second
(bench/linking.py, docs/events.md). Without a C compiler or mypy the build is skipped with a
warning and the pure-Python modules are used: same results.

Because an extension module wins over its source, an extension older than any of the sources
would run stale rules: ``build --if-stale`` (what ``make`` runs) rebuilds them, and the test
session refuses to start on a stale one (``tests/conftest.py``).

    python -m processors.compiled build [--if-stale]   # compile (or skip with a warning)
    python -m processors.compiled status               # compiled, pure Python, or stale
    python -m processors.compiled clean                # remove the extension: pure Python
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
#: the modules compiled together; a new rule module is added here (linking: its classes are
#: then native, so tests reach into them through parameters, never by patching methods)
MODULES = (
    "reader",
    "context",
    "strikes",
    "casualties",
    "stances",
    "eventfacts",
    "signals",
    "linking",
)
#: mypyc names the group's shared runtime after it (a fixed name, not a hash of the modules,
#: so that it lands in ``processors/`` and ``clean`` finds it)
GROUP = "rules"
SETUP = """\
from setuptools import setup
from mypyc.build import mypycify

setup(name="escmon_rules", ext_modules=mypycify({sources!r}, opt_level="3", group_name={group!r}))
"""


def extensions(package: Path = PACKAGE) -> list[Path]:
    """The compiled files of the rule modules and mypyc's runtime library for them.

    Older builds compiled ``signals`` alone (``signals__mypyc``); the glob finds those too, so that
    ``clean`` and the staleness check see them.
    """
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    names = (*MODULES, f"{GROUP}__mypyc")
    return sorted(
        p
        for name in names
        for p in package.glob(f"{name}*{suffix}")
        if p.is_file() and p.name.split(".")[0] in (name, f"{name}__mypyc")
    )


def state(package: Path = PACKAGE) -> str:
    """``compiled``, ``stale`` (an extension older than a source, or one missing) or ``pure``."""
    found = extensions(package)
    if not found:
        return "pure"
    sources = [package / f"{m}.py" for m in MODULES if (package / f"{m}.py").exists()]
    compiled = {p.name.split(".")[0] for p in found}
    if any(s.stem not in compiled for s in sources):
        return "stale"  # a module without its extension would run beside older compiled ones
    if min(p.stat().st_mtime for p in found) < max(s.stat().st_mtime for s in sources):
        return "stale"
    return "compiled"


def clean() -> None:
    """Remove the extensions; the rule modules are then imported from source."""
    for path in extensions():
        path.unlink()


def build(if_stale: bool = False) -> int:
    """Compile the rule modules with mypyc; 0 also when they cannot be (pure Python is used)."""
    if if_stale and state() == "compiled":
        print("processors rules: compiled extension is up to date")
        return 0
    clean()  # a failed build must not leave an older extension in front of the source
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        print("processors rules: no C compiler found; using the pure-Python rules")
        return 0
    # What ``python -m mypyc`` does, with a fixed group name: its CLI names the shared runtime of
    # several modules after a hash and puts it at the repository root.
    build_dir = REPO / "build"
    build_dir.mkdir(exist_ok=True)
    sources = [str((PACKAGE / f"{m}.py").relative_to(REPO)) for m in MODULES]
    (build_dir / "setup_rules.py").write_text(
        SETUP.format(sources=sources, group=f"processors.{GROUP}"), encoding="utf-8"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed argument list
        [sys.executable, str(build_dir / "setup_rules.py"), "build_ext", "--inplace"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        # setuptools copies an unchanged build with its old times; mypyc regenerated the C from
        # the current source, so these files are current: say so, or they would look stale.
        for path in extensions():
            path.touch()
    if done.returncode != 0 or state() != "compiled":
        clean()
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        print(
            "processors rules: mypyc build failed; using the pure-Python rules\n  "
            + "\n  ".join(tail)
        )
        return 0
    print(f"processors rules: compiled ({', '.join(p.name for p in extensions())})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: build, status or clean."""
    parser = argparse.ArgumentParser(prog="python -m processors.compiled", description=__doc__)
    parser.add_argument("action", choices=("build", "status", "clean"))
    parser.add_argument("--if-stale", action="store_true", help="build only when needed")
    args = parser.parse_args(argv)
    if args.action == "build":
        return build(args.if_stale)
    if args.action == "clean":
        clean()
        return 0
    print(state())
    return 0 if state() != "stale" else 1


if __name__ == "__main__":
    sys.exit(main())
