"""A stage that exits 2 (a configuration error) is not restarted: `escmon run` stops, saying why.

The stage is the real `escmon notifier` process, given a rule file that became invalid after the
start-up check (the case the preflight cannot catch: the file edited while running). It fails
before it needs a broker, so none is needed.
"""

import logging
import threading

import pytest

from escmon.errors import EXIT_CONFIG
from escmon.settings import load_settings
from escmon.supervisor import Supervisor
from tests.unit.escmon.test_preflight import BAD_RULES

pytestmark = pytest.mark.slow


def test_a_stage_exiting_with_a_config_error_stops_the_run_without_a_restart(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="escmon.supervisor")
    rules = tmp_path / "rules.yaml"
    rules.write_text(BAD_RULES)
    cfg = tmp_path / "escmon.yaml"
    cfg.write_text(
        f"state_dir: {tmp_path / 'state'}\n"
        "kafka: {bootstrap: '127.0.0.1:1', local_broker: false}\n"
        f"alerts: {{rules: {rules}}}\n"
        # No /readyz polls: only the exit matters here.
        "metrics: {producer_port: 0, worker_port: 0, notifier_port: 0}\n"
    )
    sup = Supervisor(load_settings(cfg), config=str(cfg))
    sup.spawn("notifier")
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        watcher.join(90)
        assert not watcher.is_alive(), "watch() returned: the supervisor is shutting down"
        assert sup.exit_code == EXIT_CONFIG
        assert sup.children["notifier"].returncode == EXIT_CONFIG
        text = caplog.text
        assert text.count("started notifier") == 1, "never restarted"
        assert "restarting in" not in text
        [line] = [r.getMessage() for r in caplog.records if "configuration error" in r.getMessage()]
        # The supervisor repeats the stage's own one line, naming the file, rule and key.
        assert "notifier exited with code 2" in line
        assert "rule 'typo': type" in line
        assert "thresholdd" in line
        assert "not restarting it; shutting down" in line
    finally:
        sup.stopping = True
        watcher.join(10)
        sup.stop()
