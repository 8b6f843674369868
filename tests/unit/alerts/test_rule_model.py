"""Rule files: valid ones load; each mistake gives one line naming the file, rule and key."""

from pathlib import Path

import pytest

from alerts.rules import RulesError, RuleSet

REPO = Path(__file__).resolve().parents[3]


def _error(text: str) -> str:
    with pytest.raises(RulesError) as info:
        RuleSet.from_yaml(text, "r.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_shipped_rules_load():
    ruleset = RuleSet.load(REPO / "seeds" / "rules.yaml")
    assert {r.type for r in ruleset.rules} == {"any", "threshold", "spike", "sequence"}


def test_unknown_key_names_the_rule_and_key():
    msg = _error("rules:\n  - {name: hot, type: any, severity: warning, treshold: 3}\n")
    assert msg.startswith("r.yaml: rule 'hot': treshold:")


def test_bad_value_shows_what_was_given():
    msg = _error("rules:\n  - {name: w, type: threshold, window: -5, severity: warning}\n")
    assert "rule 'w': window:" in msg and "(got -5)" in msg


def test_unknown_type_and_metric():
    assert "rule 'x': type:" in _error("rules:\n  - {name: x, type: sometimes, severity: w}\n")
    msg = _error("rules:\n  - {name: x, type: threshold, metric: vibes, severity: w}\n")
    assert "rule 'x': metric:" in msg


def test_rule_without_a_name_is_named_by_position():
    assert "rule #2:" in _error(
        "rules:\n  - {name: a, type: any, severity: w}\n  - {type: any, severity: w}\n"
    )


def test_severities_xor_severity():
    assert "either severities" in _error("rules:\n  - {name: a, type: any}\n")


def test_sequence_needs_first_and_then():
    msg = _error("rules:\n  - {name: s, type: sequence, severity: w, first: {signals: [strike]}}\n")
    assert "rule 's'" in msg and "needs both first and then" in msg


def test_pending_only_on_windowed_rules():
    assert "not any" in _error("rules:\n  - {name: a, type: any, severity: w, for: 60}\n")


def test_unknown_signal_in_a_condition():
    msg = _error("rules:\n  - {name: a, type: any, severity: w, where: {signals: [riot]}}\n")
    assert "rule 'a': where.signals.0:" in msg


def test_duplicate_names_and_yaml_errors():
    assert "unique: a" in _error(
        "rules:\n  - {name: a, type: any, severity: w}\n  - {name: a, type: any, severity: w}\n"
    )
    assert "YAML error at line 2" in _error("rules:\n  - {name: a: b}\n")
    assert "mapping" in _error("- just a list\n")


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(RulesError, match="cannot read rules"):
        RuleSet.load(tmp_path / "nope.yaml")


def test_severity_levels_are_ordered_by_value():
    ruleset = RuleSet.from_yaml(
        "rules:\n  - {name: a, type: threshold, severities: {critical: 20, warning: 10}}\n"
    )
    rule = ruleset.rules[0]
    assert [rule.severity_for(v) for v in (5, 10, 19, 20, 99)] == [
        None, "warning", "warning", "critical", "critical",
    ]
    assert rule.rank("critical") > rule.rank("warning") > rule.rank(None)
