"""Alert → human message (title, body), with user templates in ``str.format`` syntax.

Fields a template can use: ``{severity}`` ``{SEVERITY}`` ``{rule}`` ``{group}`` ``{status}``
``{summary}`` ``{strikes}`` ``{killed}`` ``{pledges}`` ``{score}`` ``{articles}`` ``{sources}``
``{value}`` ``{window}`` (start – end), ``{when}`` (fired at), ``{evidence}`` (one line per
sentence with its link), ``{id}``, ``{body}`` (the built-in body) and ``{alert}`` (the record).
Alerts of rules over events add ``{events}`` (how many), ``{reported}`` ("1 event, reported by 5
sources: ap, bbc, ...") and ``{outlets}`` (the sources, comma-separated); both are empty strings
for alerts over articles.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from escmon.errors import ConfigError
from escmon.models import Alert, Evidence

logger = logging.getLogger(__name__)

DEFAULT_TITLE = "[{SEVERITY}] {rule}: {group}"
DEFAULT_BODY = """\
{summary}
{reported_line}{status_line}strikes {strikes} | killed {killed} | pledges {pledges} \
| score {score} | articles {articles} from {sources} sources
window {window}; fired {when}
{evidence}
alert id {id}"""


class TemplateError(ConfigError):
    """A configured template cannot be rendered (unknown field or bad syntax)."""


def _fmt(value: float) -> str:
    return f"{value:g}"


def fields(alert: Alert) -> dict[str, Any]:
    """The values a template can refer to."""
    f = alert.figures
    return {
        "alert": alert,
        "id": alert.id,
        "severity": alert.severity,
        "SEVERITY": ("RESOLVED " if alert.status == "resolved" else "") + alert.severity.upper(),
        "rule": alert.rule,
        "group": alert.group,
        "status": alert.status,
        "status_line": "RESOLVED: the window fell back under the threshold\n"
        if alert.status == "resolved"
        else "",
        "summary": alert.summary,
        "strikes": _fmt(f.get("strikes", 0)),
        "killed": _fmt(f.get("killed", 0)),
        "pledges": _fmt(f.get("pledges", 0)),
        "score": _fmt(f.get("score", 0)),
        "articles": _fmt(f.get("articles", len(alert.article_ids))),
        "sources": _fmt(f.get("sources", 0)),
        "value": _fmt(f.get("value", 0)),
        "window": f"{alert.window_start:%Y-%m-%d %H:%M} – {alert.window_end:%Y-%m-%d %H:%M} UTC",
        "when": f"{alert.fired_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        "evidence": "\n".join(_evidence_line(e) for e in alert.evidence) or "(no evidence)",
        **_reporting(alert),
    }


def _reporting(alert: Alert) -> dict[str, str]:
    """The independent reporting behind an alert over events: its events and their outlets."""
    if not alert.event_ids:
        return {"events": "", "outlets": "", "reported": "", "reported_line": ""}
    events, outlets = len(alert.event_ids), ", ".join(alert.sources)
    reported = (
        f"{events} event{'' if events == 1 else 's'}, reported by {len(alert.sources)} "
        f"source{'' if len(alert.sources) == 1 else 's'}: {outlets}"
    )
    return {
        "events": str(events), "outlets": outlets, "reported": reported,
        "reported_line": reported + "\n",
    }


def _evidence_line(e: Evidence) -> str:
    link = e.url or e.source or e.article_id
    return f"- [{e.type}] {e.sentence} ({link})"


def render(
    alert: Alert, template: str | None = None, title_template: str | None = None
) -> tuple[str, str]:
    """Title and body of the message for ``alert``; raise :class:`TemplateError` if unusable."""
    values = fields(alert)
    try:
        values["body"] = DEFAULT_BODY.format(**values)
        title = (title_template or DEFAULT_TITLE).format(**values)
        body = template.format(**values) if template else values["body"]
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        msg = f"alert template: {type(exc).__name__}: {exc}"
        raise TemplateError(msg) from None
    return title, body


def check_templates(template: str | None, title_template: str | None) -> None:
    """Render a sample alert so a broken template is reported at start, not at the first alert."""
    t = datetime(2026, 1, 1, tzinfo=UTC)
    sample = Alert(id="sample", rule="rule", severity="warning", group="global",
                   window_start=t, window_end=t, fired_at=t)
    # One at a time, so the message names the setting to fix.
    for key, body, title in (("alerts.template", template, None),
                             ("alerts.title_template", None, title_template)):
        try:
            render(sample, body, title)
        except TemplateError as exc:
            msg = f"{key}: {exc}"
            raise TemplateError(msg) from None
