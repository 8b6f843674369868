"""The inbox folder: which dropped files are complete, and where they go once read."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", "~", ".swp")
DONE, FAILED = "done", "failed"


def signature(path: Path) -> str:
    """Size and mtime: a file changed when this changed."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


@dataclass
class InboxScanner:
    """Yields a file only after it has kept the same size and mtime for ``settle`` seconds.

    A writer still copying a file changes its size or mtime between scans, so a half-written file
    is never read; editors' and browsers' temporary names are skipped altogether.
    """

    inbox: Path
    settle: float = 1.0
    _seen: dict[Path, tuple[str, float]] = field(default_factory=dict)

    def ready(self, now: float | None = None) -> list[Path]:
        """Files in the inbox that are complete, oldest first."""
        now = time.time() if now is None else now
        found: list[tuple[float, Path]] = []
        current: dict[Path, tuple[str, float]] = {}
        try:
            entries = list(os.scandir(self.inbox))
        except OSError:
            return []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.endswith(SKIP_SUFFIXES) or not entry.is_file():
                continue
            path = Path(entry.path)
            try:
                sig = signature(path)
            except OSError:
                continue
            before = self._seen.get(path)
            first = before[1] if before and before[0] == sig else now
            current[path] = (sig, first)
            if now - first >= self.settle:
                found.append((first, path))
        self._seen = current
        return [p for _, p in sorted(found)]


def move_aside(path: Path, ok: bool) -> Path:
    """Move a read file to ``done/`` (or ``failed/``) beside it, never overwriting."""
    target_dir = path.parent / (DONE if ok else FAILED)
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{n}{path.suffix}"
        n += 1
    path.rename(target)
    return target
