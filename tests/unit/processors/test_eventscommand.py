"""``escmon events``: a JSON-lines file of raw texts, articles or tagged records in, events out."""

from __future__ import annotations

import io
import json

from escmon.models import EventRecord
from processors.eventscommand import events_command
from tests.unit.processors.test_linking import MARKET

# Written for this test: two outlets on one bombing in Mosul, one unrelated item.
RAW = [
    {"id": "a", "outlet": "Wire A", "published": "2026-02-02",
     "title": "Car bomb kills 9 at Mosul market",
     "text": "A car bomb exploded at a crowded market in Mosul on Monday, killing 9 people and "
             "wounding 20, police said."},
    {"id": "b", "outlet": "Daily B", "published": "2026-02-02",
     "title": "Mosul market car bomb kills 11",
     "text": "The toll from Monday's car bomb at the crowded Mosul market rose to 11 killed, "
             "police in Mosul said."},
    {"id": "c", "outlet": "Daily B", "published": "2026-02-02",
     "title": "Markets rise", "text": "Shares in Tokyo rose for a third day."},
]


def test_raw_lines_are_tagged_linked_and_printed_one_event_per_line(tmp_path):
    lines = [json.dumps(x) for x in RAW]
    lines.insert(1, "{broken")
    lines += [t.model_dump_json(by_alias=True) for t in MARKET]  # tagged/1 lines as they are
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    code = events_command(str(path), out, err)

    assert code == 1 and "line 2" in err.getvalue()
    events = [EventRecord.from_bytes(line) for line in out.getvalue().splitlines()]
    by_articles = {tuple(sorted(e.articles)): e for e in events}
    mosul = by_articles[("a", "b")]
    assert mosul.countries == ["Iraq"] and mosul.sources == ["Wire A", "Daily B"]
    assert mosul.killed.low == 9 and mosul.killed.high == 11
    assert ("m1", "m2", "m3") in by_articles
    assert all(e.revision >= 1 and e.status == "open" for e in events)


def test_missing_file_is_an_error(tmp_path):
    err = io.StringIO()
    assert events_command(str(tmp_path / "nope.jsonl"), io.StringIO(), err) == 1
    assert "nope.jsonl" in err.getvalue()


def test_the_cli_runs_the_command(tmp_path, capsys):
    from escmon.cli import build_parser, main

    assert "events" in build_parser().format_help()
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in RAW[:2]) + "\n", encoding="utf-8")
    assert main(["events", str(path)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert sorted(EventRecord.from_bytes(line).articles) == ["a", "b"]
