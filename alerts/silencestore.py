"""Silences kept in a small JSON file under the state folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from escmon.models import Alert, utcnow


class Silence(BaseModel):
    """Mute a rule and/or group until a time."""

    rule: str | None = None
    group: str | None = None
    until: datetime
    reason: str = ""


class SilenceStore:
    """Reads the silences file on demand (it is small and rarely changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[Silence]:
        """Every silence in the file."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Silence.model_validate(d) for d in data]

    def matching(self, alert: Alert, now: datetime | None = None) -> Silence | None:
        """The silence that mutes ``alert`` now, if any."""
        now = now or utcnow()
        for s in self.all():
            if s.until > now and s.rule in (None, alert.rule) and s.group in (None, alert.group):
                return s
        return None
