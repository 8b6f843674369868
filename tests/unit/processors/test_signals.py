"""Evidence, counts and explanations of the tagger on the seed article and small texts."""

from __future__ import annotations

import pytest

from escmon.models import Article, utcnow
from processors.tagger import Tagger
from tests.conftest import SEED_ARTICLE


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module."""
    return Tagger()


def test_seed_article_signals_counts_places_and_score(tagger: Tagger):
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    tagged = tagger.tag_text(text, id="seed")
    s = tagged.summary
    assert (s.strike, s.casualties, s.retaliation_pledge, s.deescalation) == (True,) * 4
    assert s.killed == 19  # 3 American troops + 16 people; "many ... martyrs" has no number
    counts = sorted(
        sig.attrs["count"]
        for sig in tagged.signals
        if sig.type == "casualties" and sig.attrs["count"]
    )
    assert counts == [3, 16]
    approx = [sig for sig in tagged.signals if sig.attrs.get("approximate")]
    assert any("martyrs" in sig.sentence for sig in approx)
    three = next(sig for sig in tagged.signals if sig.attrs.get("count") == 3)
    assert three.attrs["nationality"] == "United States" and "troops" in three.attrs["who"]
    assert tagged.theater == "Middle East"
    actors = {m.name: m.country for m in tagged.actors}
    assert actors["Quds Force"] == "Iran" and actors["Houthis"] == "Yemen"
    assert {"Iraq", "Syria", "Iran", "Tehran"} <= {m.name for m in tagged.places}
    assert tagged.score.total == sum(p.points for p in tagged.score.parts)
    assert tagged.score.total >= 25  # seeds/rules.yaml: escalation-score critical at 25
    assert {p.type for p in tagged.score.parts} >= {"strike", "casualties", "killed"}


def test_evidence_offsets_point_into_the_original_text_even_with_doubled_spaces(tagger: Tagger):
    text = "GAZA (Reuters) - Israeli troops  killed  more  than 100  Palestinians in an air strike."
    tagged = tagger.tag_text(text)
    assert tagged.summary.killed == 100
    for sig in tagged.signals:
        assert text[sig.start : sig.end] == sig.text
        assert sig.sentence in text


def test_evidence_sentence_is_the_sentence_of_the_cue(tagger: Tagger):
    text = "Markets were calm on Monday. Militants fired rockets at the base. Talks resume Friday."
    tagged = tagger.tag_text(text)
    [strike] = [s for s in tagged.signals if s.type == "strike"]
    assert strike.sentence == "Militants fired rockets at the base."


def test_distinct_counts_are_summed_and_restatements_are_not(tagger: Tagger):
    text = (
        "Three soldiers were killed in a mortar attack on Monday. "
        "The three soldiers killed were from the same unit. "
        "Separately, a drone strike killed two militants."
    )
    assert tagger.tag_text(text).summary.killed == 5


def test_wounded_and_killed_are_read_from_one_sentence(tagger: Tagger):
    tagged = tagger.tag_text(
        "A car bomb killed at least 44 people and wounded 27 others near the checkpoint."
    )
    assert (tagged.summary.killed, tagged.summary.wounded) == (44, 27)


def test_no_signals_give_no_theater_from_nothing_and_zero_score(tagger: Tagger):
    tagged = tagger.tag_text("The central bank left interest rates unchanged.")
    assert tagged.signals == [] and tagged.score.total == 0 and tagged.theater is None


def test_tag_many_is_ordered_and_lazy(tagger: Tagger):
    arts = (
        Article(id=str(i), source="t", body=f"Item {i}: shelling hit the town.", fetched=utcnow())
        for i in range(150)
    )
    out = tagger.tag_many(arts)
    first = next(out)
    assert first.id == "0" and first.summary.strike
    assert [t.id for t in out] == [str(i) for i in range(1, 150)]


def test_unknown_trained_model_is_a_clear_error():
    from processors.nlp import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="not installed"):
        Tagger(model="en_core_web_nonexistent")
