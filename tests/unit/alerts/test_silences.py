"""Silences: the pure matching rule, the file store, and ``escmon silence``."""

import io
from datetime import UTC, datetime, timedelta

import pytest

from alerts.silencecommand import parse_duration, silence_command
from alerts.silencestore import Silence, SilenceError, SilenceStore, matching
from escmon.models import Alert

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _alert(rule: str = "deadly", group: str = "theater:Middle East") -> Alert:
    return Alert(id="x", rule=rule, severity="critical", group=group,
                 window_start=NOW, window_end=NOW)


def test_matching_by_rule_group_and_time():
    later = NOW + timedelta(hours=1)
    by_group = Silence(group="theater:Middle East", until=later)
    by_rule = Silence(rule="score", until=later)
    assert matching([by_group], _alert(), NOW) is by_group
    assert matching([by_group], _alert(group="theater:Sahel"), NOW) is None
    assert matching([by_rule], _alert(), NOW) is None
    assert matching([by_rule], _alert(rule="score", group="global"), NOW) is by_rule
    assert matching([by_group], _alert(), later) is None, "expired at its end"


def test_store_add_list_remove_and_expiry(tmp_path):
    store = SilenceStore(tmp_path / "s.json")
    a = store.add(rule="deadly", until=NOW + timedelta(minutes=5), now=NOW)
    b = store.add(group="global", until=NOW + timedelta(hours=5), now=NOW)
    assert {s.id for s in store.all()} == {a.id, b.id}
    assert store.matching(_alert(), NOW).id == a.id
    # Adding later drops silences that have ended.
    c = store.add(group="g", until=NOW + timedelta(hours=9), now=NOW + timedelta(hours=1))
    assert {s.id for s in store.all()} == {b.id, c.id}
    store.remove(b.id)
    assert [s.id for s in store.all()] == [c.id]
    with pytest.raises(SilenceError, match="no silence"):
        store.remove("nope")


def test_store_refuses_silences_that_mute_nothing_or_are_over(tmp_path):
    store = SilenceStore(tmp_path / "s.json")
    with pytest.raises(SilenceError, match="rule, a group"):
        store.add(until=NOW + timedelta(hours=1), now=NOW)
    with pytest.raises(SilenceError, match="past"):
        store.add(rule="r", until=NOW - timedelta(hours=1), now=NOW)


def test_broken_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(SilenceError, match="unreadable"):
        SilenceStore(path).all()


def test_parse_duration():
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    for bad in ("", "soon", "5", "3x"):
        with pytest.raises(SilenceError):
            parse_duration(bad)


def test_silence_command_round_trip(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert silence_command(tmp_path, "add", out, err, group="theater:Middle East",
                           duration="2h", reason="known story", now=NOW) == 0
    sid = out.getvalue().split()[1].rstrip(":")
    out = io.StringIO()
    assert silence_command(tmp_path, "list", out, err, now=NOW) == 0
    assert sid in out.getvalue() and "known story" in out.getvalue()
    assert silence_command(tmp_path, "remove", io.StringIO(), err, silence_id=sid) == 0
    out = io.StringIO()
    silence_command(tmp_path, "list", out, err, now=NOW)
    assert "no active silences" in out.getvalue()


def test_silence_command_errors_are_one_line(tmp_path):
    err = io.StringIO()
    assert silence_command(tmp_path, "add", io.StringIO(), err, rule="r", now=NOW) == 2
    assert err.getvalue().count("\n") == 1 and "--for" in err.getvalue()
