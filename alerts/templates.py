"""Alert → human message (title, body)."""

from __future__ import annotations

from escmon.models import Alert


def render(alert: Alert, template: str | None = None) -> tuple[str, str]:
    """Title and body of the message for ``alert``."""
    f = alert.figures
    title = f"[{alert.severity.upper()}] {alert.rule}: {alert.group}"
    lines = [
        alert.summary,
        f"killed {f.get('killed', 0):g} | strikes {f.get('strikes', 0):g} | "
        f"score {f.get('score', 0):g}",
        f"window {alert.window_start:%Y-%m-%d %H:%M} – {alert.window_end:%H:%M} UTC",
    ]
    lines += [f"- {e.sentence} ({e.url or e.source})" for e in alert.evidence]
    body = "\n".join(lines)
    if template:
        body = template.format(alert=alert, figures=f, title=title, body=body)
    return title, body
