"""The linker's candidate pruning (postings of rare terms plus a score bound) changes no link.

``OpenEvents(prune=False)`` scores every report in the date window with ``pair_score``; the
default only those the bound of ``_tail_bound`` cannot rule out. Both must return the same
records, revision by revision, on a stream made to put many pairs near the threshold: a small
vocabulary, word counts from 3 to 40, shared names (some after "in": towns the gazetteer does
not know), cities and toll figures, stated, publication-only and missing dates, reactions and
ceasefires, later versions of reports, and the state restored from JSON midway. If
``pair_score`` gains a term that can raise a score, ``_tail_bound`` must gain it too, or this
test fails.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from escmon.models import EventFacts, Mention, Signal, Summary, TaggedArticle, Toll
from processors import linking
from processors.evaluation import load_items
from processors.linking import LinkConfig, OpenEvents

T0 = datetime(2026, 5, 1, 6, tzinfo=UTC)
CITIES = [Mention(text=f"Town{i}", name=f"Town{i}", kind="city", country="Sudan")
          for i in range(40)]


def vocabulary(rnd: random.Random, n: int) -> list[str]:
    return ["".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou") for _ in range(3))
            for _ in range(n)]


def stream(seed: int, n: int) -> list[TaggedArticle]:
    rnd = random.Random(seed)
    words = vocabulary(rnd, 3000)
    common = words[:60]  # in many reports, as "police" or "village"
    events = [
        {
            "words": rnd.sample(words, 12),
            "city": rnd.choice(CITIES),
            "day": date(2026, 5, 1) + timedelta(days=rnd.randrange(6)),
            "killed": rnd.choice([None, 3, 7, 12]),
        }
        for _ in range(n // 2)
    ]
    out: list[TaggedArticle] = []
    for i in range(n):
        if out and rnd.random() < 0.08:  # a later version of an earlier report
            old = rnd.choice(out)
            out.append(old.model_copy(update={"title": old.title + " " + rnd.choice(words)}))
            continue
        event = rnd.choice(events)
        size = rnd.choice([3, 5, 8] + [40, 60, 80] * 6)
        # a few very short reports (a title alone), as feeds without a body give
        own = rnd.sample(event["words"], rnd.randint(0, 6 if size > 10 else 2))
        text = own + rnd.sample(common, size // 6) + rnd.sample(words, size - size // 6)
        rnd.shuffle(text)
        # some words capitalised mid-sentence: names the reports may share
        text = [w.capitalize() if w not in common and rnd.random() < 0.1 else w for w in text]
        # some of them after "in": a town the gazetteer does not know, which a report sharing
        # the name earns the place bonus with (_share_place)
        text = [f"in {w}" if w[0].isupper() and rnd.random() < 0.5 else w for w in text]
        sentence = " ".join(text) + "."
        killed = event["killed"] if rnd.random() < 0.7 else rnd.choice([None, 3, 20])
        toll = Toll(low=killed, best=killed, high=killed) if killed is not None else Toll()
        kind = rnd.choice(["strike"] * 8 + ["deescalation", "casualties"])
        dating = rnd.random()
        day = event["day"] + timedelta(days=rnd.choice([0, 0, 0, 1, -1, 3]))
        places = [event["city"]] if rnd.random() < 0.5 else [rnd.choice(CITIES)][:rnd.randrange(2)]
        facts = dating < 0.75
        out.append(
            TaggedArticle(
                id=f"a{i}",
                source=f"outlet{rnd.randrange(6)}",
                title=" ".join(rnd.sample(own + common, 4 if size > 10 else 1)).capitalize(),
                published=(T0 + timedelta(days=(day - date(2026, 5, 1)).days))
                if 0.5 < dating < 0.9 else None,
                fetched=T0 + timedelta(hours=rnd.randrange(24 * 9)),
                signals=[Signal(type=kind, text="x", start=0, end=1, sentence=sentence)],
                summary=Summary(strike=True, killed=killed),
                places=[*places,
                        Mention(text="Sudan", name="Sudan", kind="country", country="Sudan")],
                event=EventFacts(kind=kind, reaction=rnd.random() < 0.15, countries=["Sudan"],
                                 places=places, killed=toll,
                                 date=day if dating < 0.5 else None)
                if facts else None,
                tagged_at=T0,
            )
        )
    return out


CONFIGS = [
    LinkConfig(),
    LinkConfig(threshold=0.2),
    LinkConfig(threshold=0.5, names_counted=1, fit_dates=False),
    LinkConfig(window_days=1, published_window_days=4, same_day_bonus=0.25, place_bonus=0.15),
]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("always", [False, True])
def test_pruned_candidates_give_the_same_records_as_scoring_every_candidate(
    config: LinkConfig, seed: int, always: bool
) -> None:
    # always: the postings are taken even where scanning the window would cost less (the dense
    # vocabulary of this stream makes them long), so that every report goes through them
    pruned, full = OpenEvents(config, always_screen=always), OpenEvents(config, prune=False)
    screened = 0
    for i, article in enumerate(stream(seed, 400)):
        if i == 250:  # the index is rebuilt from the state
            screened += pruned.screened
            pruned = OpenEvents.from_json(json.loads(json.dumps(pruned.to_json())), config)
            pruned._always_screen = always
        got = [r.model_dump_json() for r in pruned.add(article)]
        want = [r.model_dump_json() for r in full.add(article)]
        assert got == want, f"report {i} ({article.id})"
    assert [r.model_dump_json() for r in pruned.records()] == [
        r.model_dump_json() for r in full.records()
    ]
    assert len(pruned) > 25  # not one event of everything: links were decided
    screened += pruned.screened
    if always:
        assert screened > 300  # nearly every report, from the second on
    closed = pruned.prune(T0 + timedelta(days=5))
    assert [r.model_dump_json() for r in closed] == [
        r.model_dump_json() for r in full.prune(T0 + timedelta(days=5))
    ]
    assert closed and any(pruned._by_day)  # pruning removed some, the rest stay indexed


def test_settings_with_a_negative_bonus_scan_the_window() -> None:
    assert not linking._can_prune(LinkConfig(place_bonus=-0.1))
    assert not OpenEvents(LinkConfig(day_penalty=-0.1))._prune
    assert OpenEvents(LinkConfig())._prune


def test_the_date_fit_from_extreme_dates_is_the_fit_of_every_pair() -> None:
    rnd = random.Random(5)
    reports = [
        r for r in (linking.report_of(a) for a in stream(3, 200)) if r is not None
    ]
    config = LinkConfig()
    for _ in range(2000):
        group = rnd.sample(reports, rnd.randint(1, 6))
        members = rnd.sample(reports, rnd.randint(1, 6))
        pairwise = not any(
            linking._dates_apart(a, b, config) for a in group for b in members
        )
        assert linking._fits(group, members, config) == pairwise


@pytest.mark.parametrize("config", CONFIGS)
def test_the_pair_bound_is_never_below_the_score(config: LinkConfig) -> None:
    # _screen drops a candidate when _pair_bound (given the content words the pair shares at
    # most) is below the threshold: it must bound pair_score on every pair, follow-ups too
    reports = [r for a in stream(3, 160) if (r := linking.report_of(a, config)) is not None]
    rnd = random.Random(3)
    reports += [replace(r, update=True) for r in rnd.sample(reports, 30)]
    scored = loose = 0
    for a in reports:
        heads = frozenset(a.headline)
        for b in reports:
            score = linking.pair_score(a, b, config)
            if score is None:
                continue
            scored += 1
            shared = len(a.words & b.words)
            assert linking._pair_bound(a, heads, b, shared, config) >= score - linking._MARGIN
            # with the caller's cut it may be looser, never lower, and cuts the same pairs
            limit = config.threshold - linking._MARGIN
            cut = linking._pair_bound(a, heads, b, shared, config, limit)
            assert cut >= score - linking._MARGIN
            assert (cut >= limit) == (linking._pair_bound(a, heads, b, shared, config) >= limit)
            loose += cut > linking._pair_bound(a, heads, b, shared, config)
    assert scored > 5000
    assert loose > 100  # the loose path was taken


def test_the_cheaper_scans_of_report_of_find_what_the_regular_expressions_find() -> None:
    # _capitalised tests _NAME's look-behind on each match, _latest_year and _day_after skip
    # texts by a substring first: on real reports and on the edge cases, the same results
    cases = Path(__file__).resolve().parents[2] / "eval" / "cases"
    texts = [
        f"{item['title']} {item['text']}"
        for path in sorted(cases.glob("events-*.jsonl"))
        for item in load_items(path)
    ]
    assert len(texts) > 300
    texts += [
        "Blast. X-Ray unit hit: Gaza's \"Al-Shifa\" and “Nasser” said. In 1999, and 2024 too.",
        "A strike on Monday, a day after another. ONE DAY AFTER the raid, Two Days After it.",
        "Blasts on Tuesday, ONE DAY AFTER the raid, talks after. Fire on Friday, Two Days After.",
        "no capitals here 1949 2100 19th 20th",
        "Ends with a name: Kyiv",
        'Quote: "Name and ? Who. A',
    ]
    for text in texts:
        assert linking._capitalised(text) == linking._NAME.findall(text)
        years = [int(y) for y in linking._YEAR.findall(text)]
        assert linking._latest_year(text) == (max(years) if years else None)
        for day in range(1, 8):
            when = date(2026, 6, day)
            assert linking._day_after(text, when) == _day_after_by_sentence(text, when)


def _day_after_by_sentence(text: str, when: date) -> int | None:
    if " after " not in text:
        return None
    weekday = linking._WEEKDAYS[when.weekday()]
    for sentence in linking._SENTENCE.findall(text):
        match = linking._DAYS_AFTER.search(sentence)
        if match and f"on {weekday}" in sentence[: match.start()]:
            return when.toordinal() - linking._DAYS_AFTER_N[match.group(1).lower()]
    return None
