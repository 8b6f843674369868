from pathlib import Path

import pytest

from escmon.settings import ConfigError, load_settings

REPO = Path(__file__).resolve().parents[3]


def test_shipped_default_config_loads_with_paths_relative_to_the_file(monkeypatch):
    monkeypatch.chdir("/")
    s = load_settings(REPO / "seeds" / "escmon.yaml")
    assert s.kafka.bootstrap == "127.0.0.1:19092"
    assert s.kafka.local_broker is True
    assert s.producers.inbox == REPO / "seeds" / "inbox"
    assert s.producers.files == [REPO / "seeds" / "us-strikes-iran-linked-forces.txt"]
    assert s.alerts.rules == REPO / "seeds" / "rules.yaml"
    assert s.state_dir == REPO / ".state"
    assert s.producers.feeds[0].url == str(REPO / "seeds" / "feeds" / "local.xml")


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("kafka:\n  bootstrap: filehost:9092\n  partitions: 3\n")
    monkeypatch.setenv("ESCMON_KAFKA__BOOTSTRAP", "envhost:9093")
    s = load_settings(cfg)
    assert s.kafka.bootstrap == "envhost:9093"
    assert s.kafka.partitions == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kafka:\n  partitions: lots\n", "kafka.partitions"),
        ("kafka:\n  bootstrap: nohostport\n", "kafka.bootstrap"),
        ("kafak:\n  bootstrap: x:1\n", "kafak"),
        ("metrics:\n  worker_port: 70000\n", "metrics.worker_port"),
        ("kafka: [unclosed\n", "YAML error at line"),
        ("- a list\n", "mapping"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path, text, expected):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert str(cfg) in message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_secrets_are_masked_in_show(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("kafka:\n  sasl_password: hunter2\nalerts:\n  apprise: ['slack://tok/en/s']\n")
    shown = str(load_settings(cfg).masked())
    assert "hunter2" not in shown
    assert "slack://tok" not in shown
    assert "**********" in shown


def test_seen_ttl_defaults_to_30_days_and_reads_from_file_and_environment(tmp_path, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("producers:\n  inbox: null\n")
    assert load_settings(cfg).producers.seen_ttl == 30 * 86_400
    cfg.write_text("producers:\n  seen_ttl: 604800\n")
    assert load_settings(cfg).producers.seen_ttl == 604_800
    monkeypatch.setenv("ESCMON_PRODUCERS__SEEN_TTL", "1209600")
    assert load_settings(cfg).producers.seen_ttl == 1_209_600, "the environment wins"


@pytest.mark.parametrize("value", ["0", "-1", "a month"])
def test_a_seen_ttl_that_is_not_a_positive_duration_is_refused(tmp_path, value):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"producers:\n  seen_ttl: {value}\n")
    with pytest.raises(ConfigError, match=r"producers\.seen_ttl"):
        load_settings(cfg)


def test_supervisor_unready_restart_from_file_and_environment(tmp_path, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("kafka:\n  partitions: 2\n")
    assert load_settings(cfg).supervisor.unready_restart == 180, "the documented default"
    cfg.write_text("supervisor:\n  unready_restart: 45\n  poll_interval: 2\n")
    s = load_settings(cfg)
    assert s.supervisor.unready_restart == 45
    assert s.supervisor.poll_interval == 2
    monkeypatch.setenv("ESCMON_SUPERVISOR__UNREADY_RESTART", "0")
    assert load_settings(cfg).supervisor.unready_restart == 0


def test_negative_unready_restart_is_one_line_naming_the_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("supervisor:\n  unready_restart: -5\n")
    with pytest.raises(ConfigError, match=r"supervisor\.unready_restart"):
        load_settings(cfg)
