"""The event stage's per-key logic without Kafka: state, pruning by event time, labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escmon.models import EventFacts, EventRecord, LinkDecision, TaggedArticle, Toll
from processors.eventstage import (
    KeyState,
    StateError,
    change_of,
    decision_labels,
    decode,
    decode_state,
    encode_state,
    link_key,
    reason_label,
    step,
)
from tests.unit.processors.linker_standin import STANDIN

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HORIZON = timedelta(days=5)


def report(
    aid: str, *, day: int = 0, killed: int | None = None, source: str = "a", country: str = "Syria"
) -> TaggedArticle:
    when = T0 + timedelta(days=day)
    return TaggedArticle(
        id=aid,
        source=source,
        title=f"report {aid}",
        published=when,
        event=EventFacts(
            kind="strike",
            countries=[country],
            killed=Toll(low=killed, best=killed, high=killed),
            date=when.date(),
        ),
    )


def test_reports_of_one_event_open_then_update_it_and_a_redelivery_gives_nothing():
    state = KeyState(STANDIN.new())
    first = step(state, report("r1", killed=4), HORIZON)
    second = step(state, report("r2", killed=6, source="b"), HORIZON)
    again = step(state, report("r2", killed=6, source="b"), HORIZON)
    assert first.changes == ["opened"] and second.changes == ["updated"]
    [event] = second.linked
    assert event.id == first.linked[0].id and event.revision == 2
    assert event.articles == ["r1", "r2"] and event.killed.best == 6
    assert again.published == [] and again.changes == []


def test_events_close_by_event_time_not_wall_clock():
    state = KeyState(STANDIN.new())
    step(state, report("old", day=0), HORIZON)
    # Four days of event time later: still within the horizon, both open.
    mid = step(state, report("mid", day=4), HORIZON)
    assert mid.closed == [] and len(state.events) == 2
    # Six days after the first: the first event is older than newest - horizon and closes.
    late = step(state, report("new", day=6), HORIZON)
    assert [r.articles for r in late.closed] == [["old"]]
    assert late.changes == ["opened", "closed"]
    assert len(state.events) == 2
    assert state.newest == T0 + timedelta(days=6)


def test_an_older_report_does_not_move_the_clock_back_and_a_too_old_one_is_late():
    state = KeyState(STANDIN.new())
    step(state, report("new", day=10), HORIZON)
    within = step(state, report("back", day=7), HORIZON)
    assert not within.late and within.closed == []
    assert state.newest == T0 + timedelta(days=10)
    too_old = step(state, report("ancient", day=1), HORIZON)
    assert too_old.late
    # It opens its own event, and the same prune closes it: nothing older stays open.
    assert too_old.changes == ["opened", "closed"]
    assert len(state.events) == 2


def test_state_round_trips_through_json_and_keeps_idempotence():
    state = KeyState(STANDIN.new())
    step(state, report("r1", killed=3), HORIZON)
    data = state.to_json()
    assert data["open"] == 1 and data["v"] == 1
    back = KeyState.load(data, STANDIN)
    assert back.newest == state.newest
    assert step(back, report("r1", killed=3), HORIZON).published == []
    assert step(back, report("r9", killed=3), HORIZON).changes == ["updated"]


def test_a_key_never_seen_has_empty_state_and_bad_state_is_an_error_with_a_reason():
    assert len(KeyState.load(None, STANDIN).events) == 0
    with pytest.raises(StateError, match="version 7"):
        KeyState.load({"v": 7}, STANDIN)
    with pytest.raises(StateError, match="unreadable"):
        KeyState.load({"v": 1, "newest": "not a time", "events": {}}, STANDIN)
    with pytest.raises(StateError, match="unreadable"):
        KeyState.load({"v": 1, "newest": None}, STANDIN)


def test_decode_gives_the_article_or_the_reason():
    good = report("r1")
    assert decode(good.to_bytes()) == good
    assert decode(b"") == "empty message"
    assert decode(None) == "empty message"
    reason = decode(b'{"schema": "tagged/9", "id": "x"}')
    assert isinstance(reason, str) and "invalid tagged/1 record" in reason


def _event(revision: int = 1, status: str = "open", links: list[LinkDecision] = ()) -> EventRecord:
    return EventRecord(
        id="e1", revision=revision, status=status, first_seen=T0, last_seen=T0, links=list(links)
    )


def test_change_names():
    assert change_of(_event()) == "opened"
    assert change_of(_event(revision=3)) == "updated"
    assert change_of(_event(revision=3, status="merged")) == "merged"
    assert change_of(_event(revision=3), closing=True) == "closed"


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("same day 2026-03-01", "same day"),
        ("dates 2 day(s) apart", "dates apart"),
        ("text 0.62 (14 words shared)", "text"),
        ("shared place Kharkiv, Izium", "shared place"),
        ("same toll figure 16", "same toll figure"),
        ("bridges ev-1, ev-2", "bridges"),
        ("with 8f2a91", None),
        ("no open event of Syria scores enough", None),
        ("Something new", "other"),
    ],
)
def test_reason_labels_are_the_fixed_phrase_never_a_name_or_number(reason, label):
    assert reason_label(reason) == label


def test_the_real_linkers_reasons_all_have_a_label():
    from processors import linking

    state = KeyState(linking.OpenEvents())
    labels: list[str] = []
    for i, src in enumerate(("a", "b", "c")):
        art = report(f"r{i}", killed=16, source=src).model_copy(
            update={"title": "Air strikes kill 16 near Deir ez-Zor"}
        )
        labels += decision_labels(step(state, art, HORIZON).linked, art.id)
    assert labels[0] == "opened" and len(labels) > 3
    assert "other" not in labels, labels


def test_decision_labels_count_a_decision_once_across_revisions():
    joined = LinkDecision(
        article_id="r2", action="joined", score=0.8, reasons=["with r1", "text 0.8", "same day x"]
    )
    opened = LinkDecision(article_id="r1", action="opened")
    records = [_event(2, links=[opened, joined]), _event(3, status="merged", links=[joined])]
    assert decision_labels(records, "r2") == ["text", "same day"]
    assert decision_labels(records, "r1") == ["opened"]
    assert decision_labels(records, "r3") == []


def test_a_batch_skips_the_article_the_linker_fails_on_and_relinks_the_others_the_same():
    stored = encode_state(KeyState(STANDIN.new()))
    loads = []

    def load() -> KeyState:
        loads.append(1)
        return decode_state(stored, STANDIN)

    broken = report("bad").model_copy(update={"event": None})  # the stand-in asserts on it
    batch = link_key(load, [report("r1"), broken, report("r2", source="b")], HORIZON, 10**6)
    assert len(loads) == 2, "loaded again after the failure, not reused half-changed"
    assert [i for i, _ in batch.steps] == [0, 2]
    [(index, reason)] = batch.failed
    assert index == 1
    assert reason.startswith("linker error: AssertionError")
    assert [(r.revision, r.articles) for r in batch.published] == [(1, ["r1"]), (2, ["r1", "r2"])]
    assert decode_state(batch.blob, STANDIN).newest == batch.state.newest


def test_a_state_over_the_size_limit_closes_older_events_first_then_all():
    reports = [report(f"d{d}", day=d) for d in range(4)]
    full = link_key(lambda: KeyState(STANDIN.new()), reports, HORIZON, 10**6)
    assert full.overflow == [] and len(full.state.events) == 4
    one = len(encode_state(KeyState(STANDIN.load(
        {k: v for k, v in list(full.state.events.to_json().items())[-1:]}
    ))))
    older = link_key(lambda: KeyState(STANDIN.new()), reports, HORIZON, one + 200)
    assert [r.articles for r in older.overflow] == [["d0"], ["d1"], ["d2"]]
    assert older.changes[-3:] == ["closed"] * 3 and len(older.state.events) == 1
    assert len(older.blob) <= one + 200
    tiny = link_key(lambda: KeyState(STANDIN.new()), reports, HORIZON, 10)
    assert len(tiny.overflow) == 4 and len(tiny.state.events) == 0


def test_stored_state_bytes_round_trip_and_garbage_is_a_state_error():
    state = KeyState(STANDIN.new())
    step(state, report("r1"), HORIZON)
    assert len(decode_state(encode_state(state), STANDIN).events) == 1
    assert len(decode_state(None, STANDIN).events) == 0
    with pytest.raises(StateError, match="unreadable"):
        decode_state(b"{not json", STANDIN)
