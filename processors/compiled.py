"""The tagger's rules (``processors/signals.py``) compiled with mypyc to a C extension, if possible.

``signals.py`` stays plain, type-checked Python; mypyc (shipped with mypy, a dev dependency)
compiles it to ``processors/signals.cpython-*.so``, which Python imports in preference to the
source. On the seed article the rules then cost ~40% less (bench/tagger.py). Without a C compiler
or mypy the build is skipped with a warning and the pure-Python module is used: same results.

Because an extension module wins over the source, an extension older than ``signals.py`` would
run stale rules: ``build --if-stale`` (what ``make`` runs) rebuilds it, and the test session
refuses to start on a stale one (``tests/conftest.py``).

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
SOURCE = PACKAGE / "signals.py"


def extensions(package: Path = PACKAGE) -> list[Path]:
    """The compiled files of ``signals`` (the module and mypyc's runtime library for it)."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    return [p for p in package.glob(f"signals*{suffix}") if p.is_file()]


def state(package: Path = PACKAGE) -> str:
    """``compiled``, ``stale`` (an extension older than the source) or ``pure``."""
    found = extensions(package)
    if not found:
        return "pure"
    if min(p.stat().st_mtime for p in found) < (package / SOURCE.name).stat().st_mtime:
        return "stale"
    return "compiled"


def clean() -> None:
    """Remove the extension; ``processors.signals`` is then imported from source."""
    for path in extensions():
        path.unlink()


def build(if_stale: bool = False) -> int:
    """Compile ``signals.py`` with mypyc; 0 also when it cannot be built (pure Python is used)."""
    if if_stale and state() == "compiled":
        print("processors.signals: compiled extension is up to date")
        return 0
    clean()  # a failed build must not leave an older extension in front of the source
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        print("processors.signals: no C compiler found; using the pure-Python rules")
        return 0
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed argument list
        [sys.executable, "-m", "mypyc", str(SOURCE.relative_to(REPO))],
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
            "processors.signals: mypyc build failed; using the pure-Python rules\n  "
            + "\n  ".join(tail)
        )
        return 0
    print(f"processors.signals: compiled ({', '.join(p.name for p in extensions())})")
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
