"""Rules over event records (``source: events``), as pure functions over hand-built EventRecords.

An event arrives once per revision (every report joining it bumps it); these tests hold the
engine to counting each event once with its newest figures.
"""

import itertools
import json
from pathlib import Path

import pytest
from alert_factory import Driver, article, at, event, rules
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.engine import group_keys, keys_for, step_event, tick, window_figures
from alerts.rules import RulesError
from alerts.templates import render

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "rules.yaml"

KILLED = """
rules:
  - name: killed
    type: threshold
    source: events
    group_by: country
    metric: killed
    window: 21600
    severities: {warning: 20, critical: 100}
    resolved: true
inhibit: null
"""


def test_a_revision_replaces_the_events_figures_in_the_window():
    d = Driver(rules(KILLED))
    assert d.add(event("e", 0, killed=10, countries=("Iraq",))) == []
    assert d.add(event("e", 5, revision=2, killed=12, countries=("Iraq",),
                       sources=("ap", "afp"))) == [], "12, not 10 + 12"
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 12
    [alert] = d.add(event("f", 10, killed=9, countries=("Iraq",)))
    assert alert.figures["value"] == 21, "12 (e's newest) + 9 (f)"
    assert alert.figures["events"] == 2
    assert sorted(alert.event_ids) == ["e", "f"]
    assert sorted(alert.article_ids) == ["e-afp", "e-ap", "f-wire"]


def test_an_older_revision_arriving_late_changes_nothing():
    d = Driver(rules(KILLED))
    d.add(event("e", 5, revision=3, killed=12, countries=("Iraq",)))
    key = "country:Iraq"
    before = json.dumps(d.states[key], sort_keys=True)
    for rev in (3, 2):
        old = event("e", 1, revision=rev, killed=40, countries=("Iraq",))
        result = step_event(d.ruleset, key, d.states[key], old, at(6))
        assert result.duplicate and result.fired == []
        assert json.dumps(result.state, sort_keys=True) == before


def test_a_merged_event_withdraws_its_figures_and_resolves():
    d = Driver(rules(KILLED))
    d.add(event("a", 0, killed=15, countries=("Iraq",), sources=("ap",)))
    [fired] = d.add(event("b", 2, killed=15, countries=("Iraq",), sources=("afp",)))
    assert fired.figures["value"] == 30, "the linker thought them two events at first"
    # The linker finds they are one: b is merged into a, whose toll stays 15.
    [resolved] = d.add(
        event("b", 3, revision=2, killed=15, countries=("Iraq",), sources=("afp",),
              status="merged", merged_into="a"),
        event("a", 3, revision=2, killed=15, countries=("Iraq",), sources=("ap", "afp"),
              articles=("a-ap", "b-afp"), first=0),
    )
    assert resolved.status == "resolved"
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 15
    assert d.add(event("b", 2, killed=15, countries=("Iraq",))) == [], "old copy of b"
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 15


def test_the_survivors_revision_before_the_merge_record_does_not_double_count():
    # Different event ids travel on different partitions: the survivor's revision, which now
    # holds b's reports, may come first. b must not count beside it in between.
    d = Driver(rules(KILLED.replace("warning: 20", "warning: 25")))
    d.add(event("a", 0, killed=15, countries=("Iraq",), sources=("ap",)))
    d.add(event("b", 2, killed=15, countries=("Iraq",), sources=("afp",)))
    assert len(d.alerts) == 1
    d.add(event("a", 3, revision=2, killed=15, countries=("Iraq",), sources=("ap", "afp"),
                articles=("a-ap", "b-afp"), first=0))
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 15
    assert [a.status for a in d.alerts] == ["firing", "resolved"]
    d.add(event("b", 3, revision=2, killed=15, countries=("Iraq",), status="merged",
                merged_into="a"))
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 15


def test_killed_sums_event_tolls_per_action_country_and_per_theater():
    ruleset = rules(KILLED.replace("inhibit: null", """\
  - {name: theater-killed, type: threshold, source: events, metric: killed,
     severities: {warning: 30}}
inhibit: null"""))
    d = Driver(ruleset)
    d.add(event("strikes", 0, killed=16, countries=("Iraq", "Syria")))
    fired = d.add(event("raid", 5, killed=5, countries=("Iraq",)))
    [iraq] = fired
    assert (iraq.rule, iraq.group, iraq.figures["value"]) == ("killed", "country:Iraq", 21)
    assert window_figures(ruleset, d.states["country:Syria"])["killed"] == 16
    [theater] = d.add(event("shelling", 6, killed=10, countries=("Lebanon",)))
    assert (theater.group, theater.figures["value"]) == ("theater:Middle East", 31)
    assert keys_for("country", event("x", 0, countries=("Iraq", "Syria"))) == [
        "country:Iraq", "country:Syria"]


def test_a_revision_that_leaves_a_country_withdraws_its_toll_there():
    d = Driver(rules(KILLED))
    d.add(event("e", 0, killed=16, countries=("Iraq", "Syria")))
    assert window_figures(d.ruleset, d.states["country:Syria"])["killed"] == 16
    d.add(event("e", 5, revision=2, killed=16, countries=("Iraq",)))
    assert window_figures(d.ruleset, d.states["country:Syria"])["killed"] == 0
    assert window_figures(d.ruleset, d.states["country:Iraq"])["killed"] == 16
    d.add(event("e", 6, revision=3, killed=16, countries=("Iraq", "Syria")))
    assert window_figures(d.ruleset, d.states["country:Syria"])["killed"] == 16, "back again"


DEADLY = """
rules:
  - name: deadly
    type: any
    source: events
    where: {signals: [strike], min_killed: 1}
    metric: killed
    severities: {warning: 1, critical: 10}
    realert: 3600
inhibit: null
"""


def test_any_fires_once_per_event_and_again_only_when_its_severity_rises():
    d = Driver(rules(DEADLY))
    [first] = d.add(event("e", 0, killed=3, sources=("ap",)))
    assert first.severity == "warning" and first.event_ids == ["e"]
    assert d.add(event("e", 5, revision=2, killed=3, sources=("ap", "afp"))) == [], (
        "one more outlet, nothing alert-worthy changed"
    )
    assert d.add(event("e", 9, revision=3, killed=4, sources=("ap", "afp"))) == [], (
        "a higher toll at the same severity"
    )
    [rise] = d.add(event("e", 20, revision=4, killed=12, sources=("ap", "afp", "bbc")))
    assert rise.severity == "critical" and rise.id != first.id
    assert rise.sources == ["afp", "ap", "bbc"]
    later = event("e", 300, revision=5, killed=14, sources=("ap", "afp", "bbc", "dw"))
    assert d.add(later) == [], "hours later, past the window: the same event, same severity"


def test_any_over_events_cooldown_holds_another_event_back_but_lets_a_rise_through():
    d = Driver(rules(DEADLY))  # realert 1 h
    [first] = d.add(event("e", 0, killed=3))
    assert d.add(event("f", 5, killed=2)) == [], "another event at the same severity"
    assert ("deadly", "cooldown") in d.suppressed
    [rise] = d.add(event("g", 10, killed=12))
    assert rise.severity == "critical" and rise.event_ids == ["g"]
    assert d.add(event("f", 75, revision=2, first=5, killed=4)) == [], (
        "past the cooldown, f's next revision at the severity held back stays quiet"
    )
    [later] = d.add(event("h", 80, killed=2))
    assert later.severity == "warning" and later.event_ids == ["h"]


def test_any_over_events_does_not_fire_for_what_does_not_match():
    d = Driver(rules(DEADLY))
    assert d.add(event("t", 0, killed=30, signals=("casualties",))) == [], "no strike"
    assert d.add(event("u", 1, killed=None)) == [], "no toll"
    assert d.add(event("m", 2, killed=30, status="merged", merged_into="x")) == [], "merged"


def test_a_merged_event_that_alerted_is_not_alerted_again_as_the_survivor():
    d = Driver(rules(DEADLY.replace("realert: 3600", "realert: 0")))
    [b] = d.add(event("b", 0, killed=12, sources=("afp",)))
    assert b.severity == "critical"
    d.add(event("b", 2, revision=2, killed=12, status="merged", merged_into="a"))
    assert d.add(event("a", 3, revision=2, killed=12, sources=("ap", "afp"),
                       articles=("a-ap", "b-afp"), first=0)) == [], "b's critical passed to a"


HELD = """
rules:
  - name: deadly
    type: any
    source: events
    where: {signals: [strike], min_killed: 1}
    metric: killed
    severities: {warning: 1, critical: 10}
    hold: 600
    realert: 0
inhibit: null
"""


def test_hold_lets_other_outlets_join_before_the_first_alert():
    d = Driver(rules(HELD))
    outlets = ("reuters", "ap", "afp", "bbc", "aljazeera")
    for i in range(1, 4):
        assert d.add(event("e", i, first=0, revision=i, killed=5, sources=outlets[:i])) == []
    assert d.tick(9) == [], "the hold is ten minutes from the first report"
    [alert] = d.tick(10)
    assert alert.sources == sorted(outlets[:3]) and alert.severity == "warning"
    assert "1 event, reported by 3 sources" in alert.summary
    assert d.add(event("f", 12, killed=5), event("f", 13, first=12, revision=2, killed=11)) == []
    [held] = d.tick(22)
    assert (held.event_ids, held.severity) == (["f"], "critical"), (
        "a held event alerts with its figures at the hold's end"
    )
    [rise] = d.add(event("e", 30, first=0, revision=4, killed=16, sources=outlets))
    assert rise.severity == "critical" and "5 sources" in rise.summary, "after the hold: at once"


def test_a_held_event_meets_the_cooldown_at_the_end_of_its_hold():
    d = Driver(rules(HELD.replace("realert: 0", "realert: 3600")))
    d.add(event("e", 0, killed=5))
    [alert] = d.tick(10)
    assert alert.event_ids == ["e"]
    d.add(event("f", 12, killed=5))
    assert d.tick(22) == [], "f's hold ends 12 min after e's alert"
    assert ("deadly", "cooldown") in d.suppressed
    assert d.add(event("f", 80, first=12, revision=2, killed=6)) == [], "f counts as alerted"
    [rise] = d.add(event("f", 81, first=12, revision=3, killed=12))
    assert rise.severity == "critical" and rise.event_ids == ["f"]


def test_hold_fires_at_once_for_an_event_first_reported_long_ago():
    d = Driver(rules(HELD))
    [alert] = d.add(event("old", 30, first=0, killed=2))
    assert alert.window_start == at(0) and alert.window_end == at(30)


SOURCES = """
rules:
  - {name: outlets, type: threshold, source: events, metric: sources, severities: {warning: 4}}
  - {name: events, type: threshold, source: events, metric: events, group_by: global,
     where: {signals: [strike]}, severities: {warning: 3}}
  - {name: corroborated, type: any, source: events, where: {min_sources: 3}, severity: warning}
inhibit: null
"""


def test_sources_are_distinct_outlets_of_an_event_and_over_the_window():
    d = Driver(rules(SOURCES))
    assert d.add(event("e", 0, sources=("ap", "ap", "afp"))) == [], "2 outlets: ap twice"
    assert window_figures(d.ruleset, d.states["theater:Middle East"])["sources"] == 2
    assert d.add(event("f", 1, sources=("afp", "bbc"))) == [], "ap, afp, bbc: 3"
    fired = d.add(event("g", 2, sources=("dw", "dw")))
    assert sorted(a.rule for a in fired) == ["events", "outlets"]
    outlets = next(a for a in fired if a.rule == "outlets")
    assert outlets.figures["sources"] == 4 and outlets.sources == ["afp", "ap", "bbc", "dw"]
    assert "3 events, reported by 4 sources" in outlets.summary
    [corroborated] = d.add(event("e", 3, revision=2, sources=("ap", "afp", "bbc")))
    assert corroborated.rule == "corroborated" and corroborated.event_ids == ["e"]


def test_spike_counts_each_event_once_in_the_hour_of_its_first_report():
    ruleset = rules("""
rules:
  - {name: spike, type: spike, source: events, where: {signals: [strike]}, window: 3600,
     baseline: 2, min_count: 3, severities: {warning: 3}}
inhibit: null
""")
    d = Driver(ruleset)
    for rev in range(1, 6):
        assert d.add(event("e", rev, revision=rev, sources=("ap",) * rev)) == []
    assert d.add(event("f", 7)) == [], "2 events, however many revisions"
    [alert] = d.add(event("g", 8))
    assert alert.figures["count"] == 3 and sorted(alert.event_ids) == ["e", "f", "g"]


SEQUENCE = """
rules:
  - {name: seq, type: sequence, source: events, first: {signals: [strike]},
     then: {signals: [retaliation_pledge]}, within: 3600, severity: warning, realert: 0}
inhibit: null
"""


def test_sequence_pairs_two_events_once_despite_revisions():
    d = Driver(rules(SEQUENCE))
    d.add(event("s", 0))
    [alert] = d.add(event("p", 20, signals=("retaliation_pledge",)))
    assert alert.event_ids == ["p", "s"] or sorted(alert.event_ids) == ["p", "s"]
    assert d.add(event("p", 25, revision=2, signals=("retaliation_pledge",), first=20)) == []
    assert d.add(event("s", 26, revision=2, first=0, sources=("ap", "afp"))) == []


def test_sequence_over_events_cooldown_holds_a_second_pair_back():
    d = Driver(rules(SEQUENCE.replace("realert: 0", "realert: 600")))
    d.add(event("s", 0))
    [first] = d.add(event("p", 5, signals=("retaliation_pledge",)))
    assert d.add(event("p2", 10, signals=("retaliation_pledge",))) == [], "5 min after p"
    assert ("seq", "cooldown") in d.suppressed
    [again] = d.add(event("p3", 16, signals=("retaliation_pledge",)))
    assert again.id != first.id and sorted(again.event_ids) == ["p3", "s"]


def test_event_rules_and_article_rules_read_their_own_records():
    ruleset = rules(DEADLY.replace("inhibit: null", """
  - {name: article-deadly, type: any, where: {signals: [strike]}, metric: killed,
     severities: {warning: 1}}
inhibit: null"""))
    d = Driver(ruleset)
    [a] = d.add(article("a", 0, signals=("strike",), killed=5))
    assert a.rule == "article-deadly" and a.event_ids == [] and a.sources == []
    [e] = d.add(event("e", 1, killed=5))
    assert e.rule == "deadly"
    only_articles = rules(DEADLY.replace("source: events", "source: articles"))
    assert group_keys(only_articles, event("e", 0)) == [], "no rule reads events"


def test_event_state_is_json_bounded_and_not_mutated():
    ruleset = rules(KILLED.replace("inhibit: null", "inhibit: null\nmax_events: 20"))
    key = "country:Iraq"
    state = None
    for i in range(100):
        for rev in (1, 2):
            e = event(f"e{i}", i * 0.5, revision=rev, countries=("Iraq",), killed=0)
            state = step_event(ruleset, key, state, e, e.last_seen).state
    assert state is not None
    frozen = json.dumps(state, sort_keys=True)
    assert json.loads(frozen) == state
    assert len(state["evs"]) == 20
    step_event(ruleset, key, state, event("new", 60, countries=("Iraq",), killed=50), at(60))
    tick(ruleset, key, state, at(900))
    assert json.dumps(state, sort_keys=True) == frozen


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{name: x, type: any, source: events, group_by: actor_pair, severity: w}", "no actors"),
        ("{name: x, type: threshold, metric: events, severity: w}", "needs source: events"),
        ("{name: x, type: any, where: {min_sources: 2}, severity: w}", "min_sources"),
        ("{name: x, type: threshold, source: events, hold: 60, severity: w}", "hold"),
        ("{name: x, type: any, hold: 60, severity: w}", "hold"),
    ],
)
def test_event_only_keys_are_refused_where_they_mean_nothing(text, problem):
    with pytest.raises(RulesError, match=problem):
        rules(f"rules:\n  - {text}\n")


def test_seed_case_one_event_from_five_outlets_gives_one_deadly_strike_alert():
    # The alert half of issue 13's acceptance: the seed story from five outlets is one event
    # (Iraq and Syria, 16 killed), revised once per report as the five copies arrive within the
    # rule's 10 s hold; the shipped rules alert once, naming all five.
    d = Driver(rules(SEEDS.read_text()))
    outlets = ("reuters", "ap", "aljazeera", "bbc", "france24")
    for i in range(1, 6):
        d.add(event(
            "seed", (i - 1) * 0.03, first=0, revision=i, sources=outlets[:i], killed=16,
            signals=("strike", "casualties"), countries=("Iraq", "Syria"), score=6,
        ))
    d.tick(60)
    deadly = [a for a in d.alerts if a.rule == "deadly-strike"]
    assert len(deadly) == 1, [(a.rule, a.severity) for a in d.alerts]
    [alert] = deadly
    assert (alert.severity, alert.group, alert.event_ids) == (
        "critical", "theater:Middle East", ["seed"])
    assert alert.figures["killed"] == 16
    assert alert.sources == sorted(outlets)
    title, body = render(alert)
    assert "1 event, reported by 5 sources" in body
    assert all(o in body for o in outlets)
    assert [a.rule for a in d.alerts if a.group.startswith("country:")] == [], (
        "16 is below country-killed's 20 in both Iraq and Syria"
    )


@settings(max_examples=60, deadline=None)
@given(
    tolls=st.lists(st.lists(st.integers(0, 50), min_size=1, max_size=4), min_size=1, max_size=5),
    order=st.randoms(use_true_random=False),
    repeats=st.integers(0, 3),
)
def test_any_delivery_order_of_revisions_counts_each_event_once_with_its_newest_toll(
    tolls, order, repeats
):
    # Event i's revisions carry tolls[i]; they arrive shuffled, some delivered twice. Whatever
    # the order, the window holds each event once, with its newest revision's toll.
    records = [
        event(f"e{i}", r, first=0, revision=r + 1, killed=k, countries=("Iraq",))
        for i, ks in enumerate(tolls)
        for r, k in enumerate(ks)
    ]
    records += [order.choice(records) for _ in range(repeats)]
    order.shuffle(records)
    d = Driver(rules(KILLED))
    d.add(*records)
    figures = window_figures(d.ruleset, d.states["country:Iraq"])
    assert figures["killed"] == sum(ks[-1] for ks in tolls)
    assert figures["events"] == len(tolls)


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_a_merge_counts_the_survivor_once_in_any_arrival_order(order):
    records = [
        event("a", 0, killed=10, countries=("Iraq",), sources=("ap",)),
        event("b", 1, killed=12, countries=("Iraq",), sources=("afp",)),
        event("b", 2, revision=2, killed=12, countries=("Iraq",), sources=("afp",),
              status="merged", merged_into="a"),
        event("a", 2, revision=2, first=0, killed=12, countries=("Iraq",), sources=("ap", "afp"),
              articles=("a-ap", "b-afp")),
    ]
    d = Driver(rules(KILLED))
    survivor_seen = False
    for i in order:
        d.add(records[i])
        survivor_seen = survivor_seen or i == 3
        figures = window_figures(d.ruleset, d.states["country:Iraq"])
        if survivor_seen:
            # From the survivor's revision on, b's report never counts twice, whatever comes.
            assert (figures["killed"], figures["events"], figures["sources"]) == (12, 1, 2)
