"""`escmon run`'s readiness watchdog: a worker that is alive but answers nothing is replaced.

A SIGSTOPped worker stands in for a stage stuck after a rebalance: the process exists (the
supervisor's exit check sees nothing), its /readyz never answers. With a short
``supervisor.unready_restart`` the supervisor must kill it, start a new worker, and that worker
must tag an article dropped afterwards.
"""

import os
import re
import shutil
import signal
import time
import urllib.request

import pytest

from escmon.supervisor import probe
from escmon.watchdog import Readiness
from tests.conftest import SEED_ARTICLE, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIMIT = 15  # seconds; longer than the worker's cold start here (logged as "worker ready (seen")


def _worker_pids(output: str) -> list[int]:
    return [int(p) for p in re.findall(r"started worker \(pid (\d+)\)", output)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _tagged(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    name = "escmon_processor_articles_tagged_total"
    lines = [line for line in text.splitlines() if line.startswith(name)]
    return sum(float(line.rpartition(" ")[2]) for line in lines)


def test_run_replaces_a_worker_that_stops_answering_readyz(make_config, escmon_proc, tmp_path):
    path, cfg = make_config(
        supervisor={"unready_restart": LIMIT, "poll_interval": 1, "poll_timeout": 1},
    )
    readyz = f"http://127.0.0.1:{cfg['metrics']['worker_port']}/readyz"
    run = escmon_proc("--config", str(path), "run")
    # Ready as the supervisor saw it, so the restart below is timed from the stop, not the start.
    wait_for(lambda: "worker ready (seen" in run.output(), 90, "the first worker ready")
    out = run.output()
    assert "not ready for" not in out, "the cold start did not fit the window:\n" + out[-3000:]
    [old] = _worker_pids(out)

    os.kill(old, signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        new = wait_for(
            lambda: [p for p in _worker_pids(run.output()) if p != old], 60, "a new worker"
        )[0]
        respawned = time.monotonic() - stopped
        out = run.output()
        assert re.search(rf"ERROR .*worker \(pid {old}\) not ready for \d+s", out), out[-3000:]
        assert not _alive(old), "the stopped worker was ended and reaped"
        wait_for(lambda: probe(readyz, 1) is Readiness.READY, 60, "the new worker ready")
        ready = time.monotonic() - stopped

        shutil.copy(SEED_ARTICLE, tmp_path / "inbox" / SEED_ARTICLE.name)
        # The counter lives in the new process: it starts at 0, so 1 means the new worker tagged it.
        wait_for(lambda: _tagged(cfg["metrics"]["worker_port"]) >= 1, 60, "the article tagged")
        assert _worker_pids(run.output())[-1] == new, "no further restart"
        print(
            f"worker SIGSTOPped; replaced (pid {old} -> {new}) after {respawned:.1f}s, "
            f"new worker ready after {ready:.1f}s (limit {LIMIT}s)"
        )
    finally:
        if _alive(old):
            os.kill(old, signal.SIGKILL)
    assert run.stop(signal.SIGTERM, timeout=60) == 0
    print("\n".join(line for line in run.output().splitlines() if "escmon.supervisor" in line))
