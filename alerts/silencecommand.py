"""``escmon silence add|list|remove``: mute a rule or a group until a time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from alerts.silencestore import SilenceError, SilenceStore
from escmon.models import utcnow

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``1d``, ``1h30m`` → a timedelta.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhdw])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != text.strip().lower():
        msg = f"not a duration like 30m, 2h or 1d: {text!r}"
        raise SilenceError(msg)
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def silences_path(state_dir: Path) -> Path:
    """Where the notifier and the CLI keep the silences."""
    return state_dir / "silences.json"


def silence_command(
    state_dir: Path,
    action: str,
    out: TextIO,
    err: TextIO,
    *,
    rule: str | None = None,
    group: str | None = None,
    duration: str | None = None,
    until: str | None = None,
    reason: str = "",
    silence_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Run one ``escmon silence`` action; 0 on success, 2 with one line on error."""
    store = SilenceStore(silences_path(state_dir))
    now = now or utcnow()
    try:
        if action == "add":
            if bool(duration) == bool(until):
                msg = "give --for DURATION or --until TIME (one of them)"
                raise SilenceError(msg)
            if duration:
                end = now + parse_duration(duration)
            else:
                try:
                    end = datetime.fromisoformat(str(until))
                except ValueError:
                    msg = f"--until: not an ISO time: {until!r}"
                    raise SilenceError(msg) from None
            s = store.add(until=end, rule=rule, group=group, reason=reason, now=now)
            out.write(f"silenced {s.id}: rule={s.rule or '*'} group={s.group or '*'} "
                      f"until {s.until.isoformat()}\n")
        elif action == "list":
            rows = [s for s in store.all() if s.until > now]
            for s in rows:
                out.write(f"{s.id}\trule={s.rule or '*'}\tgroup={s.group or '*'}\t"
                          f"until={s.until.isoformat()}\t{s.reason}\n")
            if not rows:
                out.write("no active silences\n")
        elif action == "remove":
            if not silence_id:
                msg = "remove needs the silence id (see escmon silence list)"
                raise SilenceError(msg)
            s = store.remove(silence_id)
            out.write(f"removed {s.id}\n")
    except SilenceError as exc:
        err.write(f"escmon silence: {exc}\n")
        return 2
    return 0
