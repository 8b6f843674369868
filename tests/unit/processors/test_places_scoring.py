"""Places, actors, theater and the explained score."""

from __future__ import annotations

import pytest

from escmon.models import Article, Signal, Summary, utcnow
from processors.scoring import load_weights, score
from processors.tagger import Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module."""
    return Tagger()


def test_theater_follows_the_places_not_the_outside_power(tagger: Tagger):
    tagged = tagger.tag_text(
        "US officials said Russian forces shelled Kharkiv and Odesa overnight."
    )
    assert tagged.theater == "Eastern Europe"
    assert [m.name for m in tagged.places][:1] == ["United States"]


def test_outside_power_alone_decides_when_nothing_else_is_named(tagger: Tagger):
    assert tagger.tag_text("Washington condemned the attack.").theater == "Americas"


def test_a_feeds_region_hint_fills_in_only_when_no_place_is_named(tagger: Tagger):
    def tag(body: str) -> tuple[str | None, list[str]]:
        article = Article(id="x", source="wire", body=body, fetched=utcnow(),
                          region="Sahel", tags=["africa-desk"])
        tagged = tagger.tag(article)
        return tagged.theater, tagged.tags

    assert tag("Gunmen attacked an army post overnight, killing 12 soldiers.") == (
        "Sahel", ["africa-desk"]
    )
    named, tags = tag("Russian forces shelled Kharkiv overnight.")
    assert named == "Eastern Europe" and tags == ["africa-desk"]


def test_forces_and_groups_carry_their_country(tagger: Tagger):
    tagged = tagger.tag_text("The IRGC and Hezbollah fighters were seen near the Golan Heights.")
    actors = {m.name: (m.kind, m.country) for m in tagged.actors}
    assert actors["Islamic Revolutionary Guard Corps"] == ("force", "Iran")
    assert actors["Hezbollah"] == ("armed_group", "Lebanon")
    assert tagged.theater == "Middle East"


def test_longest_gazetteer_match_wins(tagger: Tagger):
    tagged = tagger.tag_text("Shells fell on Gaza City.")
    assert [m.name for m in tagged.places] == ["Gaza City"]


def _sig(kind: str, sentence: str) -> Signal:
    return Signal(type=kind, text="x", start=0, end=1, sentence=sentence)  # type: ignore[arg-type]


def test_score_weights_count_distinct_sentences_up_to_the_cap():
    weights = load_weights()
    cap = weights["types"]["strike"]["max_count"]
    signals = [_sig("strike", f"s{i}") for i in range(cap + 2)] + [_sig("strike", "s0")]
    signals.append(_sig("deescalation", "calm"))
    result = score(signals, Summary(strike=True, deescalation=True, killed=4))
    parts = {p.type: p for p in result.parts}
    assert parts["strike"].count == cap
    assert parts["strike"].points == cap * weights["types"]["strike"]["weight"]
    assert parts["deescalation"].points < 0
    assert parts["killed"].points == min(4 * weights["per_killed"], weights["killed_cap"])
    assert result.total == pytest.approx(sum(p.points for p in result.parts))
