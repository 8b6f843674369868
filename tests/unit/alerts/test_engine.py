"""Rule evaluation as pure functions over sequences of tagged articles (no broker, no clock)."""

import json

import pytest
from alert_factory import Driver, article, at, rules

from alerts.engine import group_keys, keys_for, step, tick, window_figures

SCORE = """
rules:
  - name: score
    type: threshold
    metric: score
    window: 3600
    severities: {warning: 10, critical: 25}
    realert: 7200
    resolved: true
inhibit: null
"""


def test_threshold_sums_scores_over_the_window_and_notifies_once_per_severity():
    d = Driver(rules(SCORE))
    assert d.add(article("a", 0, score=6)) == []
    [warning] = d.add(article("b", 10, score=6))
    assert (warning.rule, warning.severity, warning.status) == ("score", "warning", "firing")
    assert warning.figures["score"] == 12
    assert warning.figures["articles"] == 2
    assert sorted(warning.article_ids) == ["a", "b"]
    assert d.add(article("c", 20, score=6)) == [], "same severity: no second message"
    [critical] = d.add(article("d", 30, score=8))
    assert critical.severity == "critical", "severity rose: notified again"
    assert critical.id != warning.id
    assert critical.figures["score"] == 26


def test_window_slides_articles_out_after_its_length():
    d = Driver(rules(SCORE))
    d.add(article("a", 0, score=6))
    # 61 minutes later the first article has left the one-hour window: 6 + 6 is not reached.
    assert d.add(article("b", 61, score=6)) == []
    [fired] = d.add(article("c", 62, score=6))
    assert fired.figures["score"] == 12
    assert sorted(fired.article_ids) == ["b", "c"]


def test_resolved_message_when_the_window_falls_back_under_the_threshold():
    d = Driver(rules(SCORE))
    [firing] = d.add(article("a", 0, score=12))
    assert d.tick(59) == [], "still inside the window"
    [resolved] = d.tick(61)
    assert resolved.status == "resolved"
    assert (resolved.rule, resolved.group, resolved.severity) == ("score", firing.group, "warning")
    assert resolved.id != firing.id
    assert d.tick(120) == [], "resolved once"


def test_no_resolved_message_unless_asked():
    d = Driver(rules(SCORE.replace("resolved: true", "resolved: false")))
    d.add(article("a", 0, score=12))
    assert d.tick(61) == []


def test_cooldown_holds_back_a_new_episode_until_realert_has_passed():
    d = Driver(rules(SCORE))  # realert 2 h
    [first] = d.add(article("a", 0, score=12))
    d.tick(61)  # resolves
    assert d.add(article("b", 90, score=12)) == [], "a new episode 90 min later is cooling down"
    assert ("score", "cooldown") in d.suppressed
    d.tick(151)  # that episode ends unseen (no resolved message for an unsent alert)
    assert [a.status for a in d.alerts] == ["firing", "resolved"]
    [again] = d.add(article("c", 200, score=12))
    assert again.severity == "warning" and again.id != first.id


def test_cooldown_lets_a_higher_severity_through():
    d = Driver(rules(SCORE))
    d.add(article("a", 0, score=12))
    d.tick(61)
    [critical] = d.add(article("b", 90, score=30))
    assert critical.severity == "critical"


ANY = """
rules:
  - name: deadly
    type: any
    where: {signals: [strike], min_killed: 1}
    metric: killed
    severities: {warning: 1, critical: 10}
    realert: 3600
inhibit: null
"""


def test_any_fires_on_a_single_matching_article_with_severity_from_its_value():
    d = Driver(rules(ANY))
    assert d.add(article("calm", 0, signals=("casualties",), killed=50)) == [], "no strike"
    assert d.add(article("no-dead", 1, signals=("strike",))) == [], "killed below 1"
    [alert] = d.add(article("a", 2, signals=("strike", "casualties"), killed=3))
    assert alert.severity == "warning" and alert.figures["killed"] == 3
    assert alert.evidence[0].url == "https://news.example.org/a"


def test_any_cooldown_per_rule_and_group_but_severity_rise_passes():
    d = Driver(rules(ANY))
    [w] = d.add(article("a", 0, signals=("strike",), killed=2))
    assert d.add(article("b", 5, signals=("strike",), killed=3)) == []
    other = article("x", 6, signals=("strike",), killed=2, theater="Eastern Europe")
    assert len(d.add(other)) == 1, "another group has its own cooldown"
    [c] = d.add(article("c", 10, signals=("strike",), killed=12))
    assert c.severity == "critical"
    assert d.add(article("d", 50, signals=("strike",), killed=30)) == []
    assert d.add(article("e", 69, signals=("strike",), killed=2)) == [], "59 min after c"
    assert len(d.add(article("f", 71, signals=("strike",), killed=2))) == 1, "realert passed"
    assert w.id != c.id


def test_same_article_twice_is_counted_once():
    d = Driver(rules(SCORE))
    a = article("a", 0, score=6)
    d.add(a)
    key = group_keys(d.ruleset, a)[0]
    before = json.dumps(d.states[key], sort_keys=True)
    result = step(d.ruleset, key, d.states[key], a, at(1))
    assert result.duplicate and result.fired == []
    assert json.dumps(result.state, sort_keys=True) == before
    assert d.add(article("b", 1, score=3)) == [], "6 + 3: the repeat did not count"


def test_step_does_not_mutate_the_state_it_was_given():
    ruleset = rules(SCORE)
    first = step(ruleset, "theater:Middle East", None, article("a", 0, score=6), at(0)).state
    frozen = json.dumps(first, sort_keys=True)
    step(ruleset, "theater:Middle East", first, article("b", 1, score=6), at(1))
    tick(ruleset, "theater:Middle East", first, at(200))
    assert json.dumps(first, sort_keys=True) == frozen


def test_article_older_than_the_window_behind_the_group_clock_is_too_late():
    d = Driver(rules(SCORE))
    d.add(article("new", 120, score=6))
    key = "theater:Middle East"
    result = step(d.ruleset, key, d.states[key], article("old", 0, score=20), at(121))
    assert result.late and result.fired == []


SPIKE = """
rules:
  - name: spike
    type: spike
    where: {signals: [strike]}
    window: 3600
    baseline: 4
    min_count: 3
    severities: {warning: 3, critical: 6}
inhibit: null
"""


def _strikes(prefix: str, hour: int, n: int) -> list:
    return [article(f"{prefix}{i}", hour * 60 + i, signals=("strike",)) for i in range(n)]


def test_spike_compares_the_current_window_with_the_trailing_baseline():
    d = Driver(rules(SPIKE))
    for hour in range(4):
        d.add(*_strikes(f"h{hour}-", hour, 2))  # baseline: 2 per hour
    assert d.add(*_strikes("h4-", 4, 5)) == [], "5 is 2.5x the baseline of 2"
    [alert] = d.add(*_strikes("h4b-", 4, 1))
    assert alert.severity == "warning"
    assert alert.figures["count"] == 6 and alert.figures["baseline"] == 2
    assert alert.figures["value"] == 3


def test_spike_needs_min_count_and_treats_a_quiet_baseline_as_one():
    d = Driver(rules(SPIKE))
    d.add(article("calm", 0, signals=("threat",)))
    assert d.add(*_strikes("a", 3, 2)) == [], "below min_count"
    [alert] = d.add(*_strikes("b", 3, 1)[0:1])
    assert alert.figures["baseline"] == 0 and alert.figures["value"] == 3


def test_spike_ignores_articles_not_matching_where():
    d = Driver(rules(SPIKE))
    quiet = [article(f"t{i}", 180 + i, signals=("threat",)) for i in range(8)]
    assert d.add(*quiet) == []


SEQUENCE = """
rules:
  - name: strike-then-pledge
    type: sequence
    first: {signals: [strike]}
    then: {signals: [retaliation_pledge]}
    within: 3600
    severity: warning
    realert: 600
inhibit: null
"""


def test_sequence_fires_when_b_follows_a_in_the_same_group_within_the_time():
    d = Driver(rules(SEQUENCE))
    assert d.add(article("s", 0, signals=("strike",))) == []
    other = article("p0", 10, signals=("retaliation_pledge",), theater="Eastern Europe")
    assert d.add(other) == [], "a pledge in another theater does not pair"
    [alert] = d.add(article("p", 30, signals=("retaliation_pledge",)))
    assert alert.article_ids and set(alert.article_ids) == {"s", "p"}
    assert {e.type for e in alert.evidence} == {"strike", "retaliation_pledge"}


def test_sequence_not_beyond_within_and_not_within_one_article():
    d = Driver(rules(SEQUENCE))
    d.add(article("s", 0, signals=("strike",)))
    assert d.add(article("late", 61, signals=("retaliation_pledge",))) == []
    assert d.add(article("both", 200, signals=("strike", "retaliation_pledge"))) == []


def test_sequence_pairs_whichever_arrives_first_by_event_time():
    d = Driver(rules(SEQUENCE))
    d.add(article("p", 30, signals=("retaliation_pledge",)))
    [alert] = d.add(article("s", 0, signals=("strike",)))
    assert alert.window_start == at(0) and alert.window_end == at(30)


def test_sequence_cooldown_holds_a_second_pair_back_until_realert_has_passed():
    d = Driver(rules(SEQUENCE))  # realert 10 min
    d.add(article("s", 0, signals=("strike",)))
    [first] = d.add(article("p", 5, signals=("retaliation_pledge",)))
    assert d.add(article("p2", 10, signals=("retaliation_pledge",))) == [], "5 min after p"
    assert ("strike-then-pledge", "cooldown") in d.suppressed
    [again] = d.add(article("p3", 16, signals=("retaliation_pledge",)))
    assert again.id != first.id and set(again.article_ids) == {"s", "p3"}


def test_sequence_reverse_order_does_not_count():
    d = Driver(rules(SEQUENCE))
    d.add(article("p", 0, signals=("retaliation_pledge",)))
    assert d.add(article("s", 30, signals=("strike",))) == [], "a pledge then a strike"


PENDING = """
rules:
  - name: sustained
    type: threshold
    metric: articles
    window: 3600
    for: 900
    severities: {warning: 2}
inhibit: null
"""


def test_for_fires_only_after_the_condition_held_for_the_pending_period():
    d = Driver(rules(PENDING))
    d.add(article("a", 0), article("b", 5))
    assert d.alerts == [], "pending"
    assert d.tick(19) == []
    [alert] = d.tick(21)
    assert alert.severity == "warning"
    assert d.tick(30) == []


def test_for_resets_when_the_condition_stops_holding_before_the_period():
    d = Driver(rules(PENDING.replace("for: 900", "for: 1800")))
    d.add(article("a", 0), article("b", 50))
    assert d.tick(61) == [], "a slid out at 60 min, before 30 min of holding ended at 80"
    assert d.tick(85) == []
    assert d.alerts == []


def test_for_gives_the_same_alert_id_whenever_the_tick_comes():
    ids = []
    for tick_at in (21, 40):
        d = Driver(rules(PENDING))
        d.add(article("a", 0), article("b", 5))
        ids.append([a.id for a in d.tick(tick_at)])
    assert ids[0] == ids[1] and len(ids[0]) == 1


INHIBIT = """
rules:
  - name: deadly
    type: any
    where: {signals: [strike]}
    metric: killed
    severities: {warning: 1, critical: 10}
  - name: score
    type: threshold
    metric: score
    window: 3600
    severities: {warning: 5, critical: 50}
    resolved: true
"""


def test_a_critical_alert_mutes_the_same_groups_warnings():
    d = Driver(rules(INHIBIT))
    fired = d.add(article("a", 0, signals=("strike",), killed=19, score=8))
    assert [(a.rule, a.severity) for a in fired] == [("deadly", "critical")]
    assert ("score", "inhibited") in d.suppressed
    other = d.add(article("b", 1, signals=("strike",), score=8, theater="Sahel"))
    assert [(a.rule, a.severity) for a in other] == [("score", "warning")], "other group"
    resolved = d.tick(61)
    assert [(a.group, a.status) for a in resolved] == [("theater:Sahel", "resolved")], (
        "no resolve in the Middle East, whose warning was never sent"
    )


def test_without_inhibit_both_fire():
    d = Driver(rules(INHIBIT + "inhibit: null\n"))
    fired = d.add(article("a", 0, signals=("strike",), killed=19, score=8))
    assert sorted((a.rule, a.severity) for a in fired) == [
        ("deadly", "critical"),
        ("score", "warning"),
    ]


def test_inhibition_ends_after_the_critical_alerts_window():
    d = Driver(rules(INHIBIT))
    d.add(article("a", 0, signals=("strike",), killed=19))
    later = d.add(article("b", 90, signals=("threat",), score=8))
    assert [(a.rule, a.severity) for a in later] == [("score", "warning")]


METRICS = """
rules:
  - {name: sources, type: threshold, metric: sources, severities: {warning: 3}}
  - {name: killed, type: threshold, metric: killed, group_by: country, severities: {warning: 20}}
  - {name: strikes, type: threshold, metric: strike, group_by: global, severities: {warning: 2}}
  - {name: pair, type: any, group_by: actor_pair, where: {signals: [threat]}, severity: warning}
inhibit: null
"""


def test_threshold_metrics_distinct_sources_killed_and_signal_counts():
    d = Driver(rules(METRICS))
    d.add(article("a", 0, source="reuters", signals=("strike",), killed=8, countries=("Iraq",)))
    d.add(article("b", 1, source="reuters", killed=8, countries=("Iraq", "Syria")))
    fired = d.add(article("c", 2, source="ap", signals=("strike",), killed=8, countries=("Iraq",)))
    assert sorted((a.rule, a.group) for a in fired) == [
        ("killed", "country:Iraq"),
        ("strikes", "global"),
    ]
    assert next(a for a in fired if a.rule == "killed").figures["value"] == 24
    [src] = d.add(article("d", 3, source="afp"))
    assert src.rule == "sources" and src.figures["sources"] == 3


def test_group_keys_for_theater_country_actor_pairs_and_global():
    a = article("a", 0, countries=("Iraq", "Syria", "Iraq"), actors=("US", "IRGC", "Houthis"))
    assert keys_for("country", a) == ["country:Iraq", "country:Syria"]
    assert keys_for("actor_pair", a) == [
        "actors:Houthis|IRGC",
        "actors:Houthis|US",
        "actors:IRGC|US",
    ]
    assert keys_for("theater", article("b", 0, theater=None)) == []
    assert "global" in group_keys(rules(METRICS), a)
    d = Driver(rules(METRICS))
    fired = d.add(article("t", 0, signals=("threat",), actors=("US", "IRGC")))
    assert [a.group for a in fired] == ["actors:IRGC|US"]


def test_state_is_json_and_bounded():
    ruleset = rules(SCORE.replace("inhibit: null", "inhibit: null\nmax_articles: 50"))
    state = None
    for i in range(400):
        a = article(f"a{i}", i * 0.1, score=0.01)
        state = step(ruleset, "theater:Middle East", state, a, a.event_time).state
    text = json.dumps(state)
    assert json.loads(text) == state
    assert len(state["arts"]) == 50
    assert len(text) < 50 * 1200


def test_window_figures_for_the_gauges():
    d = Driver(rules(SCORE))
    d.add(article("a", 0, score=3, killed=4), article("b", 30, score=2, killed=1))
    figures = window_figures(d.ruleset, d.states["theater:Middle East"])
    assert figures["score"] == 5 and figures["killed"] == 5
    d.tick(100)
    assert window_figures(d.ruleset, d.states["theater:Middle East"])["score"] == 0


@pytest.mark.parametrize("order", [list(range(6)), [5, 4, 3, 2, 1, 0]])
def test_alert_ids_are_stable_across_runs(order):
    # The ids are a function of the input, not of when or where it is evaluated.
    arts = [article(f"a{i}", i * 5, score=5) for i in range(6)]
    d = Driver(rules(SCORE))
    d.add(*sorted((arts[i] for i in order), key=lambda a: a.event_time))
    again = Driver(rules(SCORE))
    again.add(*arts)
    assert [a.id for a in d.alerts] == [a.id for a in again.alerts]
    assert len(d.alerts) == 2


def test_needs_tick_only_when_time_changes_something():
    from alerts.engine import needs_tick, same_but_clock

    d = Driver(rules(PENDING))
    key = "theater:Middle East"
    d.add(article("a", 0))
    assert not needs_tick(d.ruleset, key, d.states[key], at(10)), "nothing pending"
    assert needs_tick(d.ruleset, key, d.states[key], at(61)), "the gauge's window lost 'a'"
    d.add(article("b", 5))
    assert not needs_tick(d.ruleset, key, d.states[key], at(19))
    assert needs_tick(d.ruleset, key, d.states[key], at(20)), "the pending period ends"
    before = d.states[key]
    after = tick(d.ruleset, key, before, at(10)).state
    assert same_but_clock(before, after) and after["clock"] != before["clock"]
    assert not same_but_clock(before, tick(d.ruleset, key, before, at(21)).state)
