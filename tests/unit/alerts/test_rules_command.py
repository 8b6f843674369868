"""``escmon rules check|test``, including the shipped rules firing on the seed article.

The seed article is tagged by ``escmon tag`` (whatever tagger is current), so this test guards
the promise that the article rules fire on it; the shipped rules read events, tested here on
event records of the seed story.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from alert_factory import article, event

from alerts.rulescommand import rules_check, rules_test
from escmon.models import Alert, TaggedArticle

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "seeds" / "rules.yaml"
ARTICLE_RULES = REPO / "seeds" / "rules-articles.yaml"
SEED = REPO / "seeds" / "us-strikes-iran-linked-forces.txt"


@pytest.fixture(scope="module")
def seed_tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article as ``escmon tag`` prints it, in a JSON-lines file."""
    done = subprocess.run(
        [sys.executable, "-m", "escmon.cli", "tag", str(SEED)],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=120,
    )
    path = tmp_path_factory.mktemp("seed") / "seed.jsonl"
    path.write_text(done.stdout)
    return path


def _run(rules: Path, tagged: Path, **kw: str) -> tuple[int, list[Alert], str]:
    out, err = io.StringIO(), io.StringIO()
    code = rules_test(str(rules), str(tagged), out, err, **kw)
    return code, [Alert.from_bytes(x) for x in out.getvalue().splitlines()], err.getvalue()


def test_article_rules_fire_on_the_seed_article(seed_tagged):
    tagged = TaggedArticle.from_bytes(seed_tagged.read_text())
    code, alerts, err = _run(ARTICLE_RULES, seed_tagged)
    assert code == 0, err
    assert alerts, "the default rules fire on the seed article"
    ours = [a for a in alerts if a.group == f"theater:{tagged.theater}"]
    assert ours, [(a.rule, a.group) for a in alerts]
    assert all(a.status == "firing" and a.evidence for a in ours)
    assert all(tagged.id in a.article_ids for a in ours)
    if tagged.summary.strike and (tagged.summary.killed or 0) >= 10:
        deadly = next(a for a in ours if a.rule == "deadly-strike")
        assert deadly.severity == "critical"
        assert deadly.figures["killed"] == tagged.summary.killed
    assert "1 articles, 0 event records" in err


def test_shipped_rules_read_no_articles(seed_tagged):
    code, alerts, err = _run(RULES, seed_tagged)
    assert code == 0 and alerts == [], "every shipped rule reads events"


def test_event_records_of_the_seed_story_fire_one_deadly_strike(tmp_path):
    # What `escmon events` would print live: one revision per report joining the event, plus an
    # unrelated tagged article in the same file (both kinds are read, each by its schema).
    outlets = ("reuters", "ap", "aljazeera", "bbc", "france24")
    revisions = [
        event("seed", (i - 1) * 0.03, first=0, revision=i, sources=outlets[:i], killed=16,
              signals=("strike", "casualties"), countries=("Iraq", "Syria"))
        for i in range(1, 6)
    ]
    records = tmp_path / "events.jsonl"
    lines = [r.to_bytes().decode() for r in reversed(revisions)]
    lines.append(article("a", 1, signals=("threat",)).to_bytes().decode())
    records.write_text("\n".join(lines) + "\n")
    code, alerts, err = _run(RULES, records)
    assert code == 0, err
    assert "1 articles, 5 event records" in err
    [deadly] = [a for a in alerts if a.rule == "deadly-strike"]
    assert deadly.severity == "critical" and deadly.sources == sorted(outlets), (
        "held 10 s for other outlets; the file's order of revisions does not matter"
    )
    assert "1 event, reported by 5 sources" in deadly.summary


def test_seed_fires_the_pledge_rule_when_inhibition_is_off(seed_tagged, tmp_path):
    tagged = TaggedArticle.from_bytes(seed_tagged.read_text())
    if not (tagged.summary.strike and tagged.summary.retaliation_pledge):
        pytest.fail("the tagger no longer finds the seed's strike and retaliation pledge")
    rules = tmp_path / "rules.yaml"
    rules.write_text(ARTICLE_RULES.read_text().split("\ninhibit:")[0] + "\ninhibit: null\n")
    _, alerts, _ = _run(rules, seed_tagged)
    assert "strike-and-retaliation-pledge" in {a.rule for a in alerts}


def test_replay_orders_by_event_time_and_reports_bad_lines(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "rules:\n  - {name: s, type: threshold, metric: score, severities: {warning: 10},"
        " resolved: true}\n"
    )
    tagged = tmp_path / "t.jsonl"
    lines = [article("b", 30, score=6).to_bytes().decode(), "not json",
             article("a", 0, score=6).to_bytes().decode()]
    tagged.write_text("\n".join(lines) + "\n")
    code, alerts, err = _run(rules, tagged)
    assert code == 1, "a bad line is an error exit, after the good ones ran"
    assert "line 2" in err
    [fired] = alerts
    assert fired.window_end.isoformat().startswith("2026-11-24T12:30")
    _, alerts, _ = _run(rules, tagged, until="end")
    assert [a.status for a in alerts] == ["firing", "resolved"]
    assert alerts[1].fired_at.isoformat().startswith("2026-11-24T13:00"), "in event time"
    _, alerts, _ = _run(rules, tagged, until="2026-11-24T12:45:00+00:00")
    assert [a.status for a in alerts] == ["firing"]


def test_check_ok_and_bad(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert rules_check(str(RULES), out, err) == 0
    assert "deadly-strike (any)" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {name: x, type: any, severity: w, window: 0}\n")
    err = io.StringIO()
    assert rules_check(str(bad), io.StringIO(), err) == 2
    assert err.getvalue().startswith(f"escmon rules: {bad}: rule 'x': window:")


def test_cli_entry_point(seed_tagged):
    done = subprocess.run(
        [sys.executable, "-m", "escmon.cli", "rules", "test", str(ARTICLE_RULES), str(seed_tagged)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert all(json.loads(x)["schema"] == "alert/1" for x in done.stdout.splitlines())
    assert done.stdout.strip()
