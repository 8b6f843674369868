"""Everyday news through the event linker: unrelated items must not be linked into events.

The 710 everyday items of ``../shared/corpora/feeds-2025`` (seven outlets, 27-28 May 2025; 706
distinct ids) are read in place through ``escmon feed``, tagged and linked in publication order,
as the event stage would see them. They are unlabelled for events; what is asserted is how few
events of several reports they make (docs/events.md, "How a report is linked", step 0). Before
reports without an event were left out: 271 events, 59 of several reports, the largest of 23
unrelated items; after: 29 events, 4 of several reports (6, 3, 3, 2), of which two are right.
Floors at those figures.
"""

from __future__ import annotations

import pytest

from escmon.models import Article
from processors.everyday import CORPORA, feed_items
from processors.linking import Linker
from processors.tagger import Tagger

FEEDS = CORPORA / "feeds-2025"

pytestmark = pytest.mark.skipif(
    not FEEDS.is_dir(), reason=f"everyday feed corpus not found at {FEEDS}"
)


def test_everyday_items_make_few_events_of_several_reports():
    seen: set[str] = set()
    articles = []
    for record in feed_items(sorted(FEEDS.glob("*.xml"))):
        if record["id"] not in seen:  # the producer publishes each id once
            seen.add(record["id"])
            articles.append(Article.model_validate(record))
    assert len(articles) == 706, "corpus changed"  # 710 items, 706 distinct ids
    articles.sort(key=lambda a: (a.published.isoformat() if a.published else "", a.id))
    linker = Linker()
    for tagged in Tagger().tag_many(articles):
        linker.add(tagged)
    records = linker.records()
    several = sorted((len(r.articles) for r in records if len(r.articles) > 1), reverse=True)
    assert len(records) <= 35, f"{len(records)} events from everyday news"
    assert len(several) <= 4, several
    assert several[0] <= 6, several
