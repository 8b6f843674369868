"""The main event told from its background: one rule per case, each beside a case it must not catch.

Texts written for these tests in the style of wire news (no publisher's text).
"""

from __future__ import annotations

import datetime as dt

import pytest

from escmon.models import Article, EventFacts, TaggedArticle
from processors.eventdate import resolve
from processors.tagger import Tagger
from tests.conftest import SEED_ARTICLE

FETCHED = dt.datetime(2024, 6, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module."""
    return Tagger()


def _tag(tagger: Tagger, text: str, published: dt.date | None = None) -> TaggedArticle:
    when = dt.datetime.combine(published, dt.time(12), tzinfo=dt.UTC) if published else None
    article = Article(id="t", source="test", body=text, published=when, fetched=FETCHED)
    return tagger.tag(article)


def _event(tagger: Tagger, text: str, published: dt.date | None = None) -> EventFacts:
    event = _tag(tagger, text, published).event
    assert event is not None, "a text with signals has event facts"
    return event


def _killed(tagger: Tagger, text: str) -> tuple[int | None, int | None, int | None]:
    toll = _event(tagger, text).killed
    return toll.low, toll.best, toll.high


# (rule, text, killed best): each rule's case, then a case that must not be caught by it
TOLLS = [
    (
        "background toll of an earlier attack",
        "A suicide bomber killed six people at a checkpoint in Mosul on Monday. "
        "Last month, a car bomb killed 40 people at a market in the same city.",
        6,
    ),
    (
        "no earlier-time words: both counts are this event's, the largest wins",
        "A suicide bomber killed six people at a checkpoint in Mosul on Monday. "
        "Police said a car bomb killed 40 people at a market in the city.",
        40,
    ),
    (
        "cumulative total over a war",
        "An air strike killed 12 people in a village near Idlib on Tuesday. "
        "More than 300,000 people have been killed since the war began in 2011.",
        12,
    ),
    (
        "'since' after a superlative dates a record, it is no total",
        "An air strike on a village near Idlib killed 12 people, the deadliest attack since 2019.",
        12,
    ),
    (
        "updated figure: the latest wins",
        "Rockets hit a residential area of Kharkiv, killing at least four people. "
        "By evening the death toll had risen to nine, regional officials said.",
        9,
    ),
    (
        "an earlier larger figure without update words is not replaced by a later smaller one",
        "Rockets hit a residential area of Kharkiv, killing at least nine people. "
        "Four people were killed in a single apartment block, regional officials said.",
        9,
    ),
    (
        "the toll being answered (reacted_to) is not the answer's",
        "In response to a drone attack that killed three soldiers, jets carried out air strikes "
        "on militia positions in Syria overnight.",
        None,
    ),
    (
        "the same drone attack reported as the event itself",
        "A drone attack killed three soldiers at a base in Syria overnight, officials said.",
        3,
    ),
    (
        "counts placed in another country belong to another event",
        "A car bomb killed 20 people at a market in Baghdad on Friday. The attack came amid a "
        "spate of bombings that have left 30 dead in Kabul.",
        20,
    ),
    (
        "the same country: the later count stays this event's",
        "A car bomb killed 20 people at a market in Baghdad on Friday. Police said 30 people were "
        "killed in the blasts in Baghdad.",
        30,
    ),
]


@pytest.mark.parametrize(("rule", "text", "best"), TOLLS, ids=[t[0] for t in TOLLS])
def test_main_event_toll(tagger: Tagger, rule: str, text: str, best: int | None):
    assert _event(tagger, text).killed.best == best, rule


def test_range_keeps_both_ends(tagger: Tagger):
    text = "Shelling of a market in Donetsk killed between eight and ten people, officials said."
    assert _killed(tagger, text) == (8, 8, 10)


def test_two_figures_of_killed_and_wounded_are_no_range(tagger: Tagger):
    text = "Shelling of a market in Donetsk killed 8 people and wounded 10, officials said."
    assert _killed(tagger, text) == (8, 8, 8)
    assert _event(tagger, text).wounded.best == 10


def test_casualty_attrs_say_which_event(tagger: Tagger):
    text = (
        "In response to a drone attack that killed three soldiers, jets struck militia positions "
        "in Syria on Sunday, killing 16 people. More than 500,000 people have been killed since "
        "the war began."
    )
    tagged = _tag(tagger, text, dt.date(2024, 6, 4))
    by_count = {s.attrs["count"]: s.attrs for s in tagged.signals if s.type == "casualties"}
    assert by_count[3]["event"] == "reacted_to"
    assert by_count[16]["event"] == "main"
    assert by_count[16]["place"] == "Syria" and by_count[16]["time"] == "Sunday"
    assert by_count[500000]["event"] == "cumulative"
    assert tagged.summary.killed == 500019  # the old reading adds every count up, unchanged


# (rule, text, action countries)
PLACES = [
    (
        "the attacker's home is not an action place, the target is",
        "Israeli jets struck targets in Gaza overnight, killing five people.",
        ["Palestine"],
    ),
    (
        "a launch site ('from') is not where the force landed",
        "Rockets fired from Gaza struck the Israeli city of Ashkelon, killing two people.",
        ["Israel"],
    ),
    (
        "a dateline is not an action place",
        "BEIRUT (Reuters) - An air strike killed five people in Idlib on Tuesday.",
        ["Syria"],
    ),
    (
        "the same city named as the place of the strike is one",
        "An air strike killed five people in Beirut on Tuesday.",
        ["Lebanon"],
    ),
    (
        "victims' nationality is not an action place",
        "Three American soldiers were killed in a drone attack on a base in Jordan.",
        ["Jordan"],
    ),
    (
        "the country named as the place of the attack is one",
        "A gunman killed three people in an attack in the United States on Sunday.",
        ["United States"],
    ),
    (
        "a backer named with a hyphen is not an action place",
        "Iran-backed militants attacked a convoy in Iraq, killing four soldiers.",
        ["Iraq"],
    ),
    (
        "a possessive of a place noun names the place",
        "A missile strike on Azerbaijan's second-largest city killed ten people.",
        ["Azerbaijan"],
    ),
]


@pytest.mark.parametrize(("rule", "text", "countries"), PLACES, ids=[p[0] for p in PLACES])
def test_action_countries(tagger: Tagger, rule: str, text: str, countries: list[str]):
    assert _event(tagger, text).countries == countries, rule


def test_event_date_relative_to_publication(tagger: Tagger):
    text = "An air strike killed five people in Idlib on Sunday, a monitoring group said."
    assert _event(tagger, text, dt.date(2024, 6, 4)).date == dt.date(2024, 6, 2)  # a Tuesday
    assert _event(tagger, text).date is None  # no publication date: no guess


def test_calm_text_has_no_event(tagger: Tagger):
    assert _tag(tagger, "The central bank left interest rates unchanged on Thursday.").event is None


def test_seed_article_main_event(tagger: Tagger):
    event = _event(tagger, SEED_ARTICLE.read_text(encoding="utf-8"))
    assert event.countries == ["Iraq", "Syria"]  # not the US, Iran, Jordan, Yemen or Israel
    # the three US troops died in the drone attack the strikes answer; Syria's "many martyrs"
    # states no number
    assert (event.killed.low, event.killed.best, event.killed.high) == (16, 16, 16)
    assert event.reaction is True and event.kind == "strike"


@pytest.mark.parametrize(
    ("expression", "published", "date"),
    [
        ("Sunday", dt.date(2024, 6, 4), dt.date(2024, 6, 2)),
        ("Tuesday", dt.date(2024, 6, 4), dt.date(2024, 6, 4)),  # the day of publication
        ("yesterday", dt.date(2024, 6, 4), dt.date(2024, 6, 3)),
        ("Oct. 17", dt.date(2022, 10, 18), dt.date(2022, 10, 17)),
        ("5 June", dt.date(2021, 6, 9), dt.date(2021, 6, 5)),
        ("December 30", dt.date(2024, 1, 2), dt.date(2023, 12, 30)),  # the year before
        ("Sunday", None, None),
        ("the spring", dt.date(2024, 6, 4), None),
    ],
)
def test_resolve_dates(expression: str, published: dt.date | None, date: dt.date | None):
    assert resolve(expression, published) == date
