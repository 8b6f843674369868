"""The readiness watchdog's decisions, on a fake clock; and the /readyz probe on real sockets."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from escmon.supervisor import probe
from escmon.watchdog import Readiness, ReadinessWatchdog, Restart

READY, NOT_READY, NO_ANSWER = Readiness.READY, Readiness.NOT_READY, Readiness.NO_ANSWER


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    """Time that only passes when the test says so."""
    return Clock()


def test_never_ready_after_start_is_restarted_once_past_the_limit(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    clock.advance(20)
    assert dog.observe("worker", NO_ANSWER) is None
    clock.advance(10)
    assert dog.observe("worker", NOT_READY) is None, "exactly the limit is not past it"
    clock.advance(1)
    assert dog.observe("worker", NOT_READY) == Restart("worker", 31, NOT_READY)


def test_ready_resets_the_timer(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("notifier")
    clock.advance(25)
    assert dog.observe("notifier", READY) is None
    assert dog.unready_for("notifier") == 0
    clock.advance(5)
    assert dog.observe("notifier", NOT_READY) is None  # a new spell starts here
    clock.advance(29)
    assert dog.observe("notifier", NOT_READY) is None
    assert dog.unready_for("notifier") == 29
    clock.advance(2)
    verdict = dog.observe("notifier", NO_ANSWER)
    assert verdict == Restart("notifier", 31, NO_ANSWER)


def test_ready_now_and_then_is_never_restarted(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    for _ in range(20):
        clock.advance(20)
        assert dog.observe("worker", NOT_READY) is None
        clock.advance(5)
        assert dog.observe("worker", READY) is None


def test_zero_disables(clock):
    dog = ReadinessWatchdog(0, clock)
    assert not dog.enabled
    dog.started("worker")
    clock.advance(10_000)
    assert dog.observe("worker", NO_ANSWER) is None
    assert dog.unready_for("worker") == 10_000


def test_a_negative_limit_is_refused(clock):
    with pytest.raises(ValueError, match="0 disables"):
        ReadinessWatchdog(-1, clock)


def test_after_a_verdict_the_stage_is_not_watched_until_restarted(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    clock.advance(31)
    assert dog.observe("worker", NO_ANSWER) is not None
    assert not dog.watching("worker")
    clock.advance(100)
    assert dog.observe("worker", NO_ANSWER) is None, "one verdict per process"


def test_a_restart_resets_the_timer(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    clock.advance(31)
    assert dog.observe("worker", NOT_READY) is not None
    clock.advance(6)  # stop grace and back-off
    dog.started("worker")
    clock.advance(29)
    assert dog.observe("worker", NO_ANSWER) is None, "the new process gets the whole window"
    clock.advance(2)
    assert dog.observe("worker", NO_ANSWER) == Restart("worker", 31, NO_ANSWER)


def test_stages_are_timed_separately(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    clock.advance(20)
    dog.started("notifier")
    clock.advance(11)
    assert dog.observe("notifier", NOT_READY) is None
    verdict = dog.observe("worker", NOT_READY)
    assert verdict is not None
    assert verdict.stage == "worker"


def test_while_the_broker_is_unreachable_no_restart_and_the_window_starts_again(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("worker")
    clock.advance(25)
    for _ in range(100):  # a long outage
        clock.advance(5)
        assert dog.observe("worker", NOT_READY, broker_reachable=False) is None
    clock.advance(5)
    assert dog.observe("worker", NOT_READY) is None, "back: the whole window again"
    clock.advance(25)
    assert dog.observe("worker", NO_ANSWER) is None
    clock.advance(6)
    assert dog.observe("worker", NO_ANSWER) == Restart("worker", 36, NO_ANSWER)


def test_an_exited_stage_is_forgotten(clock):
    dog = ReadinessWatchdog(30, clock)
    dog.started("producer")
    dog.forget("producer")
    clock.advance(100)
    assert dog.observe("producer", NO_ANSWER) is None
    assert not dog.watching("producer")


# --- the probe, against real HTTP servers and sockets ---------------------------------------


def _server(status: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = b'{"ready": %s}' % (b"true" if status == 200 else b"false")
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(("status", "expected"), [(200, READY), (503, NOT_READY)])
def test_probe_reads_the_status_code(status, expected):
    server = _server(status)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/readyz"
        assert probe(url, 2.0) is expected
    finally:
        server.shutdown()
        server.server_close()


def test_probe_of_a_closed_port_is_no_answer():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        assert probe(f"http://127.0.0.1:{port}/readyz", 2.0) is NO_ANSWER


def test_probe_of_a_listener_that_never_answers_is_no_answer():
    # What a SIGSTOPped stage looks like: the kernel accepts the connection, nobody replies.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        port = s.getsockname()[1]
        assert probe(f"http://127.0.0.1:{port}/readyz", 0.3) is NO_ANSWER
