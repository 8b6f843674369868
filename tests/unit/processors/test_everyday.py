"""processors.everyday without the shared feeds: joining labels to feed items, the alarm rate."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from escmon.models import Article, Summary, TaggedArticle
from processors import everyday
from processors.everyday import join, load_labels

LABELS = Path(__file__).resolve().parents[2] / "eval" / "everyday" / "labels.jsonl"
FALSE = {"strike": False, "casualties": False, "killed": None, "wounded": None,
         "retaliation_pledge": False, "threat": False, "deescalation": False}  # fmt: skip


def article(link: str, title: str, body: str, id: str, feed: str = "x.xml") -> dict:  # noqa: A002
    return {"id": id, "url": link, "title": title, "body": body, "source": f"/c/{feed}"}


def test_labels_are_keyed_by_link_and_hold_no_texts():
    labels = load_labels(LABELS)
    assert len(labels) == 474
    assert len({(r["feed"], r["link"]) for r in labels}) == len(labels)
    assert {r["selected"] for r in labels} == {"keyword", "sample"}
    assert all(set(r) <= {"link", "feed", "selected", "labels", "note"} for r in labels)
    assert all(set(r["labels"]) == set(FALSE) for r in labels)


def test_join_reads_title_and_summary_and_drops_repeated_ids():
    labels = [
        {"link": "https://a/1", "feed": "x.xml", "selected": "keyword", "labels": FALSE},
        {"link": "https://a/2", "feed": "x.xml", "selected": "sample", "labels": FALSE},
    ]
    items = join(
        labels,
        [
            article("https://a/1", "Title", "Summary.", id="i1"),
            article("https://a/1", "Retitled", "Summary.", id="i1"),  # the producer drops it
            article("https://a/2", "", "Only a body.", id="i2"),
            article("https://a/3", "Unlabelled", "", id="i3"),
        ],
    )
    assert [(i["id"], i["text"], i["category"]) for i in items] == [
        ("https://a/1", "Title\nSummary.", "keyword"),
        ("https://a/2", "Only a body.", "sample"),
    ]


class _Flags:
    """A stand-in tagger that flags a strike in every text holding 'boom'."""

    def tag_many(self, articles: Iterable[Article]) -> Iterator[TaggedArticle]:
        for a in articles:
            flags = Summary(strike="boom" in a.text)
            yield TaggedArticle(id=a.id, source=a.source, fetched=a.fetched, summary=flags)


def test_a_false_alarm_on_a_sampled_item_counts_for_the_items_it_stands_for(monkeypatch, tmp_path):
    labels = tmp_path / "labels.jsonl"
    rows = [
        ("https://a/1", "keyword", True),
        ("https://a/2", "keyword", False),
        ("https://a/3", "sample", False),
    ]
    records = (
        {"link": link, "feed": "x.xml", "selected": kind, "labels": {"strike": strike}}
        for link, kind, strike in rows
    )
    labels.write_text("\n".join(json.dumps(r) for r in records))
    feed = [
        article("https://a/1", "boom", "", id="1"),
        article("https://a/2", "calm", "", id="2"),
        article("https://a/3", "boom", "", id="3"),
        *(article(f"https://b/{n}", "calm", "", id=f"b{n}") for n in range(7)),
    ]
    monkeypatch.setattr(everyday, "feed_items", lambda paths: feed)
    monkeypatch.setattr(everyday, "feed_paths", lambda corpora, feeds: [])
    result = everyday.run(_Flags(), tmp_path, labels)
    assert result.traffic == 10 and result.labelled == 3
    assert result.report.fields["strike"].tp == 1 and result.report.fields["strike"].fp == 1
    # 8 untouched items, one sampled: its false alarm stands for 8 of the 10 items
    assert result.false_alarms == 8.0
    assert result.alarms_per_1000 == 800.0
