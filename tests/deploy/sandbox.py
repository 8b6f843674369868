"""Run a systemd unit's ExecStart the way systemd would, in a bubblewrap view of this machine.

systemd cannot run here (no systemd as PID 1), so the semantics the units rely on are rebuilt
with bubblewrap: ``ProtectSystem=strict`` (all of ``/`` read-only), ``ReadWritePaths=`` (only
those bound writable), ``PrivateTmp=`` (a /tmp of its own), ``PrivateDevices=`` (a minimal /dev),
``ProtectHome=`` (empty /home, /root, /run/user), ``User=`` (a uid that owns nothing outside its
``StateDirectory=``), ``Environment=`` then ``EnvironmentFile=`` on a clean environment, and
``WorkingDirectory=``. Not rebuilt: the seccomp filters (``RestrictAddressFamilies=``,
``SystemCallArchitectures=``, ``LockPersonality=``, ``RestrictNamespaces=``,
``RestrictSUIDSGID=``) and ``ProtectKernel*=`` / ``ProtectControlGroups=``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALL_TOOLS = REPO / "deploy" / "install-test-tools.sh"
# systemd's default PATH for services (systemd.exec(5), "Environment variables in spawned
# processes"): nothing else is inherited from the caller.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"


@dataclass
class Unit:
    """The settings of a unit file, each key with all its values in order."""

    path: Path
    sections: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Unit:
        """Parse a unit file; repeated keys (Environment=) keep every value."""
        unit = cls(path)
        section: dict[str, list[str]] = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = unit.sections.setdefault(line[1:-1], {})
                continue
            key, _, value = line.partition("=")
            section.setdefault(key.strip(), []).append(value.strip())
        return unit

    def get(self, key: str, section: str = "Service") -> list[str]:
        """Every value of ``key`` (empty when the unit does not set it)."""
        return self.sections.get(section, {}).get(key, [])

    def one(self, key: str, section: str = "Service") -> str:
        """The single value of ``key``."""
        values = self.get(key, section)
        if len(values) != 1:
            msg = f"{self.path.name}: expected one {key}=, found {values}"
            raise ValueError(msg)
        return values[0]

    def environment(self, root: dict[str, Path]) -> dict[str, str]:
        """Environment= assignments, then the EnvironmentFile= ones (which systemd applies later).

        ``root`` maps the paths the unit names to where they are on this machine.
        """
        env: dict[str, str] = {}
        for line in self.get("Environment"):
            for word in shlex.split(line):
                key, _, value = word.partition("=")
                env[key] = value
        for spec in self.get("EnvironmentFile"):
            optional = spec.startswith("-")
            path = host_path(Path(spec.lstrip("-")), root)
            if not path.exists():
                if optional:
                    continue
                msg = f"{self.path.name}: EnvironmentFile {spec} missing"
                raise FileNotFoundError(msg)
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", ";")):
                    key, _, value = line.partition("=")
                    env[key.strip()] = value.strip().strip("\"'")
        return env


def host_path(path: Path, root: dict[str, Path]) -> Path:
    """Where a path inside the sandbox is on the host, given the mounts ``root``."""
    for inside, outside in sorted(root.items(), key=lambda kv: -len(kv[0])):
        if path == Path(inside) or path.is_relative_to(inside):
            return outside / path.relative_to(inside)
    return path


def bwrap() -> str:
    """The bwrap program, installed from Debian by deploy/install-test-tools.sh if missing."""
    exe = shutil.which("bwrap")
    if exe is None:
        subprocess.run([str(INSTALL_TOOLS)], check=True)
        exe = shutil.which("bwrap")
    if exe is None:
        msg = "bwrap not found after deploy/install-test-tools.sh"
        raise RuntimeError(msg)
    return exe


def read_only_view(mounts: dict[str, list[str]]) -> list[str]:
    """bwrap arguments showing ``/`` read-only, except the ``mounts`` (path → bwrap arguments).

    bwrap cannot create a mount point inside a read-only bind (``/var/lib/escmon`` does not
    exist on this machine), so a folder that leads to a mount point is rebuilt in the sandbox's
    own root: its entries are bound one by one, read-only, and the mount point is added beside
    them. Everything else is bound whole, read-only. The sandbox root is made read-only last.
    """
    points = {Path(p) for p in mounts}
    args: list[str] = []

    def walk(folder: Path) -> None:
        for child in sorted(folder.iterdir()):
            if child in points:
                continue
            if any(p.is_relative_to(child) for p in points):
                args.extend(["--dir", str(child)])
                walk(child)
            elif child.is_symlink():
                args.extend(["--symlink", os.readlink(child), str(child)])
            elif child.is_dir() or child.is_file():
                args.extend(["--ro-bind", str(child), str(child)])
            # Sockets, fifos and device nodes at these levels are not needed by a stage.

    walk(Path("/"))
    for point in sorted(points, key=lambda p: len(p.parts)):
        args.extend(mounts[str(point)])
    return [*args, "--remount-ro", "/"]
