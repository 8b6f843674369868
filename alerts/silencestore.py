"""Silences: a rule and/or a group muted until a time, kept in a small JSON file.

The notifier reads the file at each delivery (it is small and rarely changes), so a silence set
with ``escmon silence add`` takes effect on the next alert without a restart. Matching is a pure
function of the silences, the alert and ``now``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from escmon.errors import InputError
from escmon.models import Alert, stable_id, utcnow


class SilenceError(InputError):
    """A silence cannot be stored or found."""


class Silence(BaseModel):
    """Mute a rule and/or group until a time (``None`` matches every rule or group)."""

    id: str = ""
    rule: str | None = None
    group: str | None = None
    until: datetime
    reason: str = ""
    created: datetime = Field(default_factory=utcnow)

    def mutes(self, alert: Alert, now: datetime) -> bool:
        """True while the silence lasts and matches the alert's rule and group."""
        return (
            self.until > now
            and self.rule in (None, alert.rule)
            and self.group in (None, alert.group)
        )


def matching(silences: Iterable[Silence], alert: Alert, now: datetime) -> Silence | None:
    """The first silence that mutes ``alert`` at ``now``, if any."""
    return next((s for s in silences if s.mutes(alert, now)), None)


class SilenceStore:
    """The silences file: read on demand, replaced atomically on change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[Silence]:
        """Every silence in the file (expired ones too, until pruned)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            msg = f"{self.path}: unreadable silences file: {exc}"
            raise SilenceError(msg) from None
        try:
            return [Silence.model_validate(d) for d in data]
        except (ValidationError, TypeError) as exc:
            msg = f"{self.path}: invalid silence: {exc}".splitlines()[0]
            raise SilenceError(msg) from None

    def matching(self, alert: Alert, now: datetime | None = None) -> Silence | None:
        """The silence that mutes ``alert`` now, if any."""
        return matching(self.all(), alert, now or utcnow())

    def add(
        self,
        *,
        until: datetime,
        rule: str | None = None,
        group: str | None = None,
        reason: str = "",
        now: datetime | None = None,
    ) -> Silence:
        """Store a new silence (expired ones are dropped on the way) and return it."""
        if rule is None and group is None:
            msg = "a silence needs a rule, a group or both"
            raise SilenceError(msg)
        if until.tzinfo is None:
            msg = "the end of a silence needs a timezone"
            raise SilenceError(msg)
        now = now or utcnow()
        if until <= now:
            msg = f"the silence would end in the past ({until.isoformat()})"
            raise SilenceError(msg)
        silence = Silence(
            id=stable_id(str(rule), str(group), until.isoformat(), now.isoformat())[:8],
            rule=rule,
            group=group,
            until=until,
            reason=reason,
            created=now,
        )
        kept = [s for s in self.all() if s.until > now]
        self._write([*kept, silence])
        return silence

    def remove(self, silence_id: str) -> Silence:
        """Delete the silence with ``silence_id``; return it."""
        current = self.all()
        found = [s for s in current if s.id == silence_id]
        if not found:
            msg = f"no silence with id {silence_id!r}"
            raise SilenceError(msg)
        self._write([s for s in current if s.id != silence_id])
        return found[0]

    def _write(self, silences: list[Silence]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps([s.model_dump(mode="json") for s in silences], indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".silences-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, self.path)
