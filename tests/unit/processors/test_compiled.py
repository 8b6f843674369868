"""The compiled-rules bookkeeping: which rule modules are imported, and when they are stale."""

from __future__ import annotations

import importlib
import os
import sysconfig
from pathlib import Path

from processors import compiled

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def _package(tmp_path: Path, extension_age: float | None, missing: str | None = None) -> Path:
    """A package holding the rule modules' sources and, if aged, their extensions (one missing)."""
    for module in compiled.MODULES:
        (tmp_path / f"{module}.py").write_text("# source\n")
        os.utime(tmp_path / f"{module}.py", (1_000_000, 1_000_000))
    if extension_age is not None:
        names = [m for m in compiled.MODULES if m != missing] + [f"{compiled.GROUP}__mypyc"]
        for name in names:
            (tmp_path / f"{name}{SUFFIX}").write_bytes(b"\0")
            stamp = 1_000_000 + extension_age
            os.utime(tmp_path / f"{name}{SUFFIX}", (stamp, stamp))
    return tmp_path


def test_no_extension_is_pure(tmp_path: Path) -> None:
    assert compiled.state(_package(tmp_path, None)) == "pure"


def test_extension_newer_than_source_is_compiled(tmp_path: Path) -> None:
    package = _package(tmp_path, +60)
    assert compiled.state(package) == "compiled"
    assert len(compiled.extensions(package)) == len(compiled.MODULES) + 1


def test_extension_older_than_source_is_stale(tmp_path: Path) -> None:
    assert compiled.state(_package(tmp_path, -60)) == "stale"


def test_one_source_newer_than_its_extensions_is_stale(tmp_path: Path) -> None:
    package = _package(tmp_path, +60)
    os.utime(package / "casualties.py", (1_000_120, 1_000_120))
    assert compiled.state(package) == "stale"


def test_a_module_without_its_extension_is_stale(tmp_path: Path) -> None:
    # e.g. a rule module added after the last build: the others would run compiled beside it
    assert compiled.state(_package(tmp_path, +60, missing="stances")) == "stale"


def test_an_extension_of_another_module_is_not_counted(tmp_path: Path) -> None:
    package = _package(tmp_path, None)
    (package / f"signalsx{SUFFIX}").write_bytes(b"\0")
    assert compiled.extensions(package) == []


def test_the_imported_module_matches_the_state() -> None:
    # The test session refuses stale extensions (tests/conftest.py), so only two states remain.
    modules = [importlib.import_module(f"processors.{m}") for m in compiled.MODULES]
    imported_compiled = {not str(m.__file__).endswith(".py") for m in modules}
    assert len(imported_compiled) == 1  # all compiled or none
    assert compiled.state() == ("compiled" if imported_compiled.pop() else "pure")
