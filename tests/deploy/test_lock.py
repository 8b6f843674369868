"""requirements.lock covers pyproject.toml, carries hashes, and is what this venv runs.

After a merge that adds a dependency to pyproject.toml without `make lock`, the first test here
names what is missing (and `make install` stops at its `pip check`).
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of the pins that apply to this interpreter."""
    found: dict[str, tuple[str, int]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            marker = match.group(3)
            applies = marker is None or Marker(marker).evaluate()
            name = canonicalize_name(match.group(1)) if applies else ""
            if name:
                found[name] = (match.group(2), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def wanted() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    specs = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["build-system"]["requires"],
    ]
    return [Requirement(s) for s in specs]


def test_every_requirement_of_pyproject_is_pinned_within_its_range():
    locked = pins(REPO / "requirements.lock")
    missing = [str(r) for r in wanted() if canonicalize_name(r.name) not in locked]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    outside = [
        f"{r} (locked {locked[canonicalize_name(r.name)][0]})"
        for r in wanted()
        if not r.specifier.contains(locked[canonicalize_name(r.name)][0], prereleases=True)
    ]
    assert not outside, f"lock outside pyproject's ranges (run `make lock`): {outside}"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-runtime.lock"])
def test_every_pin_has_hashes(lock):
    locked = pins(REPO / lock)
    assert locked
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_runtime_lock_is_the_dev_lock_without_the_dev_tools():
    dev = pins(REPO / "requirements.lock")
    runtime = pins(REPO / "requirements-runtime.lock")
    assert {n: v for n, (v, _) in runtime.items()} == {
        n: dev[n][0] for n in runtime
    }, "the runtime lock pins other versions than requirements.lock (run `make lock`)"
    dev_only = {canonicalize_name(Requirement(s).name) for s in ("pytest", "mypy", "ruff")}
    assert not dev_only & set(runtime)


def test_this_venv_runs_the_locked_versions():
    locked = pins(REPO / "requirements.lock")
    differ = {}
    for name, (version, _) in locked.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = (installed, version)
    assert differ == {}, f"installed vs locked (run `make install`): {differ}"
