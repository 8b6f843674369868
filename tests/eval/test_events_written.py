"""Our own labelled reports (``tests/eval/cases/events-*.jsonl``) as regression cases.

Each batch was run blind once; its first-run figures are in docs/events.md. The floors below are
the figures of the code that was current when the batch was added (rounded down; the events ratio
rounded up), so linking may get better on them but not worse. ``events-blind1`` and
``events-blind2`` were written by people who did not work on the tagger or the linker, and nobody
tuned on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.evaluation import load_items
from processors.linking_eval import EventsReport, evaluate_events, format_events_report
from processors.tagger import Tagger

CASES = Path(__file__).resolve().parent / "cases"

# batch: (B-cubed F1, highest events found / true, countries F1, toll right share, main-event
# killed exact per report), measured after the linking-quality and event-facts work (docs/events.md)
# and rounded down (the ratio up): written1 0.925 / 1.23 / 0.968 / 11 of 11 / 23 of 24; blind1
# 0.953 / 1.125 / 1.000 / 14 of 14 / 30 of 30 (was 0.882 / 1.312 / 1.000 / 12 of 14 / 23 of 30);
# blind2 0.977 / 1.062 / 1.000 / 12 of 13 / 29 of 30. blind1 and blind2 have been development data
# since then (their first-run figures were recorded before); so is events-blind3 now (facts3).
# Countries since branch everyday (a report with no signal is no event: everyday items of a
# country no longer join whatever names its capital, docs/events.md): a labelled hard negative
# with no signal (an earthquake, a football match, a grain deal) now has no event, so its action
# countries count as missed: written1 0.968 -> 0.857, blind1 and blind2 1.000 -> 0.938, blind5
# 1.000 -> 0.968, blind4 0.903 -> 0.933 (a false country gone). written1 0.949 / 1.154 since
# branch written1 (the speaking government is no place; E6 joins).
FLOORS = {
    "events-written1.jsonl": (0.94, 1.16, 0.85, 0.99, 0.95),
    "events-blind1.jsonl": (0.95, 1.13, 0.93, 0.99, 0.99),
    "events-blind2.jsonl": (0.97, 1.07, 0.93, 0.92, 0.96),
    # written away from the code by a helper who never read it; first run at fedcb06: 0.789 / 1.467
    # / 0.778 / 9 of 15 / 16 of 30; second run after the two branches above (nothing tuned on it):
    # 0.789 / 1.467 / 0.889 / 9 of 15 / 18 of 30. Development data since then: after the linking
    # rules (branch linkquality2: places the gazetteer does not know, routing past an outside
    # power, dated toll follow-ups) and the event-facts rules (branch facts3) written on its misses
    # (docs/events.md): 0.866 / 1.133 / 1.000 / 13 of 15 / 29 of 30; after branch linkquality3
    # (routing by the event's towns links D05): 0.883 / 1.067 / 1.000 / 13 of 15 / 29 of 30
    "events-blind3.jsonl": (0.88, 1.07, 0.99, 0.86, 0.96),
    # written away from the code by another helper who never read it; first run at e81751f (before
    # the blind3 branches): 0.808 (P 1.000) / 1.600 / 0.812 / 11 of 15 / 22 of 30; second run after
    # them (nothing tuned on it): 0.824 (P 1.000) / 1.533 / 0.875 / 12 of 15 / 24 of 30.
    # Development data since then: after the linking rules of branch linkquality3 (follow-ups
    # dated by the count, 'since' days, routing by the event's towns) and the event-facts rules of
    # branch facts4, both written on its misses (docs/events.md): 0.941 (P 1.000) / 1.200 / 0.903
    # / 15 of 15 / 28 of 30
    "events-blind4.jsonl": (0.94, 1.20, 0.93, 0.99, 0.93),
    # written last, by a third helper who never read the code; nobody tuned on it. First run at
    # 168cff4: 0.837 (P 0.922) / 1.267 / 1.000 / 10 of 14 / 25 of 30; second run after the
    # blind4 branches (fcde73c): the same. Below the F1, events-found and toll bars.
    # Development data since then: after the linking rules of branch linkquality4 (a strike filed
    # where it landed, not under the attacker its title names; "village of X"; "on Wednesday, a
    # day after ..."; an undated report's weekday) and the event-facts rules of branch facts5
    # (Kryvyi Rih, "the port of Hodeidah", an "after" killing as the earlier event, unnamed
    # sources' claims, munitions that crash), both written on its misses (docs/events.md):
    # 0.960 (P 1.000) / 1.133 / 1.000 / 13 of 14 / 29 of 30
    "events-blind5.jsonl": (0.95, 1.14, 0.96, 0.92, 0.96),
    # written by a fourth helper who never read the code; nobody tuned on it. First run at
    # a3a6a87: 0.816 (P 1.000) / 1.533 / 0.839 / 10 of 14 / 17 of 30 (countries per report
    # 0.767, per event 0.765). Development data since then: after the event-facts rules of
    # branch facts6, written on its misses (docs/events.md): 0.909 (P 0.956) / 1.133 / 0.839 /
    # 14 of 14 / 27 of 30
    "events-blind6.jsonl": (0.90, 1.14, 0.83, 0.99, 0.90),
    # written by a fifth helper who never read the code; nobody tuned on it. Longer reports (200
    # to 264 words, 5 to 7 paragraphs). First run at 82af256: 0.908 (P 0.917) / 1.067 / 0.867 /
    # 12 of 14 / 22 of 30; second run after branch facts6 (d9b156d, nothing tuned on it): the
    # same. Development data since then: after the event-facts rules of branch facts7, written
    # on its misses (docs/events.md): 0.908 (P 0.917) / 1.067 / 0.867 / 14 of 14 / 30 of 30
    "events-blind7.jsonl": (0.90, 1.07, 0.86, 0.99, 0.99),
    # written by a sixth helper who never read the code; nobody tuned on it. Wire-length reports
    # (302 to 395 words, 7 to 9 paragraphs). First run at d9b156d: 0.915 (P 0.956) / 1.133 / 0.968
    # / 11 of 14 / 18 of 30; second run after branch facts7 (nothing tuned on it): the same.
    # Development data since then: after the event-facts rules of branch facts8, written on its
    # misses (docs/events.md): 0.915 (P 0.956) / 1.133 / 0.968 / 14 of 14 / 27 of 30
    "events-blind8.jsonl": (0.91, 1.14, 0.96, 0.99, 0.90),
    # written last, by a seventh helper who never read the code (249 to 276 words, 6 to 8
    # paragraphs). First run at 67f52d2, on the final code of its stop: 0.941 (P 1.000) / 1.200
    # / 0.839 / 13 of 14 / 24 of 30, every bar of issue 13 met. Nobody has read its misses and
    # nothing was tuned on it. Its killed misses were read (not tuned on) when branch facts9
    # sorted blind6-11's misses into classes; after facts9 (two of them in its classes: a
    # follow-up naming its attack by its time, 'two dozen'): 0.941 / 1.200 / 0.839 / 14 of 14 /
    # 26 of 30. Since branch linkq1 as well (routing key from where most towns lie: N04
    # joined): 0.953 / 1.133 / 0.903 / 14 of 14 / 26 of 30
    "events-blind9.jsonl": (0.95, 1.14, 0.90, 0.99, 0.86),
    # written at the same time by two more helpers who never read the code, run once on the final
    # code of that stop (ba2bbcd; nobody had read their misses, nothing tuned on them): blind10
    # 0.781 (P 0.967) / 1.533 / 0.839 / 11 of 14 / 21 of 30; blind11 0.858 (P 0.839) / 1.000 /
    # 0.839 / 9 of 14 / 17 of 30. Below the bars (blind10: F1, events found, tolls,
    # killed; blind11: tolls, killed). Development data since then: after the event-facts rules
    # of branch facts9, written on their misses (docs/events.md): blind10 0.827 (P 0.967) / 1.400
    # / 0.839 / 13 of 14 / 26 of 30; blind11 0.879 (P 0.839) / 0.933 / 0.839 / 11 of 14 / 27 of 30.
    # After branch linkq1 as well (classes of their splits read and fixed, pooled with every
    # other set: routing key from where most towns lie, a name one report puts the event at):
    # blind10 0.890 (P 0.956) / 1.200 / 0.903 / 13 of 14 / 26 of 30; blind11 the same as above.
    "events-blind10.jsonl": (0.89, 1.20, 0.90, 0.92, 0.86),
    "events-blind11.jsonl": (0.87, 0.94, 0.83, 0.78, 0.90),
    # written at the same time by two more helpers who never read the code (203 to 260 words, 5
    # to 7 paragraphs), run once at 3475be9 (after facts9 and linkq1, written on blind10/11's
    # misses); nobody had read their misses. First runs: blind12 0.844 (P 0.956) / 1.333 / 0.938
    # / 12 of 14 / 23 of 30 (below the F1 and events-found bars); blind13 0.84996 (P 0.856) /
    # 1.067 / 0.857 / 12 of 14 / 24 of 30 (F1 a hair below 0.85). Development data since then:
    # after the event-facts rules of branch facts10, written on their misses (docs/events.md):
    # blind12 0.844 (P 0.956) / 1.333 / 0.938 / 14 of 14 / 28 of 30; blind13 0.850 (P 0.856) /
    # 1.067 / 0.909 / 13 of 14 / 29 of 30 (linking untouched).
    "events-blind12.jsonl": (0.84, 1.34, 0.93, 0.99, 0.93),
    "events-blind13.jsonl": (0.84, 1.07, 0.90, 0.92, 0.96),
    # written at the same time by two more helpers who never read the code, wire length (300 to
    # 364 words, 7 to 9 paragraphs), run once at 3ec121c (after facts10, written on blind12/13's
    # misses); nobody had read their misses. First runs: blind14 0.915 (P 0.956) / 1.133 / 1.000
    # / 12 of 14 / 21 of 30 (below the killed bar); blind15 0.858 (P 0.956) / 1.333 / 0.909 / 10
    # of 14 / 23 of 30 (below the events-found and toll bars). Development data since then:
    # after the event-facts rules of branch facts11, written on their misses (docs/events.md):
    # blind14 0.915 / 1.133 / 1.000 / 13 of 14 / 28 of 30; blind15 0.858 / 1.333 / 0.909 / 11
    # of 14 / 25 of 30. After linkq3 too (read their misses: a named weekday gates a pair):
    # blind14 F1 0.9595 (P 1.000); blind15 unchanged.
    "events-blind14.jsonl": (0.95, 1.14, 0.99, 0.92, 0.93),
    "events-blind15.jsonl": (0.85, 1.34, 0.90, 0.78, 0.83),
    # written last, at the same time, by two more helpers who never read the code, wire length
    # (298 to 354 words, 8 to 9 paragraphs), run once at 1b103e2 (the final code of that stop,
    # after facts11 and linkq3, written on blind14/15's misses); nobody has read their misses.
    # First runs: blind16 0.831 (P 0.922) / 1.267 / 0.903 / 12 of 14 / 25 of 30 (below the F1
    # and events-found bars); blind17 0.906 (P 0.950) / 1.133 / 0.897 / 10 of 14 / 24 of 30
    # (below the toll bar). Floors are the first runs.
    "events-blind16.jsonl": (0.83, 1.27, 0.90, 0.85, 0.83),
    "events-blind17.jsonl": (0.90, 1.14, 0.89, 0.71, 0.80),
}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One tagger for every batch."""
    return Tagger()


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_batch_does_not_regress(name: str, tagger: Tagger):
    items = load_items(CASES / name)
    report: EventsReport = evaluate_events(items, tagger)
    b3, ratio, countries, toll, killed = FLOORS[name]
    text = format_events_report(report)
    assert report.bcubed_f1 >= b3, text
    assert report.events_ratio <= ratio, text
    assert report.country_f1 >= countries, text
    assert report.toll_rate >= toll, text
    assert report.killed_rate >= killed, text
