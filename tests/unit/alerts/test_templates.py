"""Messages: what a person reads, and user templates."""

from datetime import UTC, datetime

import pytest

from alerts.templates import TemplateError, check_templates, render
from escmon.models import Alert, Evidence

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _alert(**kw: object) -> Alert:
    base: dict[str, object] = dict(
        id="abc123", rule="deadly-strike", severity="critical", group="theater:Middle East",
        window_start=T, window_end=T, fired_at=T, summary="deadly-strike critical: killed 19",
        figures={"killed": 19.0, "strikes": 1.0, "pledges": 1.0, "score": 11.0, "sources": 1.0,
                 "articles": 1.0},
        evidence=[Evidence(sentence="16 people were killed.", type="casualties",
                           article_id="a1", source="wire", url="https://example.org/a1")],
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def test_default_message_has_severity_rule_group_figures_evidence_and_when():
    title, body = render(_alert())
    assert title == "[CRITICAL] deadly-strike: theater:Middle East"
    for part in ("strikes 1", "killed 19", "pledges 1", "score 11", "16 people were killed.",
                 "https://example.org/a1", "2026-11-24 12:00:00 UTC", "abc123"):
        assert part in body, part


def test_resolved_is_said_in_title_and_body():
    title, body = render(_alert(status="resolved"))
    assert title.startswith("[RESOLVED CRITICAL]")
    assert "RESOLVED" in body


def test_custom_templates():
    title, body = render(_alert(), "{severity}/{killed}: {evidence}", "{rule} in {group}")
    assert title == "deadly-strike in theater:Middle East"
    assert body.startswith("critical/19: - [casualties] 16 people were killed.")


def test_broken_template_is_reported_with_the_field():
    with pytest.raises(TemplateError, match="nosuch"):
        check_templates("{nosuch}", None)
    with pytest.raises(TemplateError):
        check_templates(None, "{rule")


def test_an_alert_over_events_says_how_many_events_and_lists_their_sources():
    title, body = render(_alert(event_ids=["e1"], sources=["afp", "ap", "bbc"]))
    assert "1 event, reported by 3 sources: afp, ap, bbc" in body
    _, custom = render(_alert(event_ids=["e1", "e2"], sources=["ap"]), "{reported} | {outlets}")
    assert custom == "2 events, reported by 1 source: ap | ap"
    _, articles = render(_alert(), "[{reported}]")
    assert articles == "[]", "an alert over articles has no event line"
