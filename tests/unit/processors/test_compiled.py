"""The compiled-rules bookkeeping: which ``signals`` is imported, and when an extension is stale."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import processors.signals
from processors import compiled

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def _package(tmp_path: Path, extension_age: float | None) -> Path:
    (tmp_path / "signals.py").write_text("# source\n")
    os.utime(tmp_path / "signals.py", (1_000_000, 1_000_000))
    if extension_age is not None:
        for name in (f"signals{SUFFIX}", f"signals__mypyc{SUFFIX}"):
            (tmp_path / name).write_bytes(b"\0")
            stamp = 1_000_000 + extension_age
            os.utime(tmp_path / name, (stamp, stamp))
    return tmp_path


def test_no_extension_is_pure(tmp_path: Path) -> None:
    assert compiled.state(_package(tmp_path, None)) == "pure"


def test_extension_newer_than_source_is_compiled(tmp_path: Path) -> None:
    package = _package(tmp_path, +60)
    assert compiled.state(package) == "compiled"
    assert len(compiled.extensions(package)) == 2


def test_extension_older_than_source_is_stale(tmp_path: Path) -> None:
    assert compiled.state(_package(tmp_path, -60)) == "stale"


def test_the_imported_module_matches_the_state() -> None:
    # The test session refuses stale extensions (tests/conftest.py), so only two states remain.
    imported_compiled = not processors.signals.__file__.endswith(".py")
    assert compiled.state() == ("compiled" if imported_compiled else "pure")
