"""`escmon run` as a user runs it: own broker, the seed alert printed, a clean stop."""

import signal
import time

import pytest

from tests.conftest import SEED_ARTICLE, free_port, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_run_starts_broker_prints_seed_alert_within_a_minute_and_stops_on_sigterm(
    make_config, escmon_proc, tmp_path
):
    port = free_port()
    path, cfg = make_config(
        kafka={"bootstrap": f"127.0.0.1:{port}", "local_broker": True},
        broker={"port": port, "controller_port": free_port()},
        producers={"files": [str(SEED_ARTICLE)]},
    )
    started = time.monotonic()
    run = escmon_proc("--config", str(path), "run")
    wait_for(lambda: "=" * 78 in run.output(), 90, "an alert printed on the console")
    elapsed = time.monotonic() - started
    out = run.output()
    assert "=" * 78 in out, "the console channel printed an alert block"
    assert "killed" in out.lower()
    # Measured, not asserted as a timing beyond the acceptance bar of one minute after start-up
    # (the broker's own start is included here, so allow for a slow CI machine).
    print(f"seed alert printed {elapsed:.1f}s after escmon run started")
    code = run.stop(signal.SIGTERM, timeout=60)
    assert code == 0, run.output()[-3000:]
    text = run.output()
    for stage in ("producer", "worker", "notifier"):
        assert f"{stage} stopped" in text
    pidfile = tmp_path / "state" / "kafka" / "broker.pid"
    assert not pidfile.exists(), "the broker started by run was stopped"
    # A healthy start and stop is quiet: no line at WARNING or ERROR from any stage or library,
    # and no terminal escape codes in a log that is not a terminal.
    loud = [line for line in text.splitlines() if "ERROR" in line or "WARNING" in line]
    assert loud == [], "\n".join(loud)
    assert "\x1b[" not in text, repr(text[text.find("\x1b[") - 200 :][:400])
