"""The supervisor acting on the watchdog, with real child processes but no broker.

The stage is a Python process that ignores SIGTERM and serves no /readyz: the supervisor must give
up on it after ``unready_restart``, SIGTERM it, SIGKILL it after ``stop_grace``, and respawn it.
"""

import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator

import pytest

from escmon.settings import Settings
from escmon.supervisor import Supervisor
from tests.conftest import wait_for

STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"


class StubbornSupervisor(Supervisor):
    """Runs a stage that ignores SIGTERM instead of the real one."""

    def _command(self, stage: str) -> list[str]:
        return [sys.executable, "-c", STUBBORN]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: every /readyz poll is refused (no answer)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.fixture
def listening_port() -> Iterator[int]:
    """Stands in for a reachable broker: the watchdog only checks that it accepts connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def other_closed_port() -> Iterator[int]:
    """Stands in for a broker that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _supervisor(port: int, unready_restart: float, broker_port: int) -> StubbornSupervisor:
    settings = Settings(
        kafka={"bootstrap": f"127.0.0.1:{broker_port}"},
        metrics={"worker_port": port},
        supervisor={
            "unready_restart": unready_restart,
            "poll_interval": 0.2,
            "poll_timeout": 0.5,
            "stop_grace": 1.0,
        },
    )
    return StubbornSupervisor(settings, config=None)


def test_a_stage_that_ignores_sigterm_is_killed_after_the_grace_and_respawned(
    closed_port, listening_port, caplog
):
    caplog.set_level(logging.INFO, logger="escmon.supervisor")
    sup = _supervisor(closed_port, unready_restart=1.0, broker_port=listening_port)
    sup.spawn("worker")
    first = sup.children["worker"].pid
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        wait_for(lambda: sup.children["worker"].pid != first, 20, "a new worker process")
        assert not _alive(first), "the old process was killed and reaped"
        text = caplog.text
        assert f"worker (pid {first}) not ready for" in text
        assert "last /readyz: no answer" in text
        assert f"worker (pid {first}) did not stop in 1s; killing it" in text
        assert "worker stopped by the watchdog with code -9" in text
        assert text.index("not ready for") < text.index("killing it")
    finally:
        sup.stopping = True
        watcher.join(10)
        for proc in sup.children.values():
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    ("unready_restart", "broker_up", "why"),
    [(0, True, "disabled"), (1.0, False, "broker unreachable")],
)
def test_an_unready_stage_is_left_alone(
    closed_port, listening_port, other_closed_port, caplog, unready_restart, broker_up, why
):
    caplog.set_level(logging.INFO, logger="escmon.supervisor")
    broker = listening_port if broker_up else other_closed_port
    sup = _supervisor(closed_port, unready_restart=unready_restart, broker_port=broker)
    sup.spawn("worker")
    first = sup.children["worker"].pid
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        # Long enough for many polls and several 1 s windows had the watchdog been on.
        threading.Event().wait(2.5)
        assert sup.children["worker"].pid == first
        assert _alive(first)
        assert "not ready for" not in caplog.text, why
        if not broker_up:
            assert "broker unreachable" in caplog.text
    finally:
        sup.stopping = True
        watcher.join(10)
        for proc in sup.children.values():
            proc.kill()
            proc.wait()
