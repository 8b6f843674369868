"""The start-up filter: retryable broker errors of a fresh broker go to DEBUG, counted; real
failures and later errors keep their level."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from escmon import logs


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, logs.StartupRetries, Clock]]:
    """A handler like the one logs.configure installs, on a private stream, at INFO."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    clock = Clock()
    startup = logs.StartupRetries(grace=60, clock=clock)
    handler.addFilter(startup)
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    yield stream, startup, clock
    root.handlers[:] = handlers
    root.setLevel(level)


COORDINATOR = "Group Coordinator Request failed: [Error 15] GroupCoordinatorNotAvailableError"


def test_a_retryable_coordinator_error_at_start_is_demoted_and_counted(captured):
    stream, startup, _ = captured
    log = logging.getLogger("aiokafka.consumer.group_coordinator")
    log.error(COORDINATOR)
    log.error(COORDINATOR)
    assert stream.getvalue() == "", "at INFO the demoted lines do not show"
    assert startup.demoted["GroupCoordinatorNotAvailableError"] == 2
    assert startup.summary() == (
        "retryable broker errors while starting, logged at DEBUG: "
        "GroupCoordinatorNotAvailableError x2"
    )


def test_at_debug_the_demoted_line_shows_as_debug(captured):
    stream, _, _ = captured
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("aiokafka.consumer.group_coordinator").error(COORDINATOR)
    assert stream.getvalue() == f"DEBUG aiokafka.consumer.group_coordinator: {COORDINATOR}\n"


def test_a_real_failure_still_shows(captured):
    stream, startup, _ = captured
    logging.getLogger("aiokafka").error('Unable connect to "127.0.0.1:1": refused')
    # Our own code's errors are never touched, whatever they say.
    logging.getLogger("escmon.topics").error("GroupCoordinatorNotAvailableError in our code")
    assert stream.getvalue().splitlines() == [
        'ERROR aiokafka: Unable connect to "127.0.0.1:1": refused',
        "ERROR escmon.topics: GroupCoordinatorNotAvailableError in our code",
    ]
    assert startup.summary() is None


def test_after_the_grace_the_same_error_keeps_its_level(captured):
    stream, startup, clock = captured
    clock.now += 61
    logging.getLogger("aiokafka.consumer.group_coordinator").error(COORDINATOR)
    assert stream.getvalue() == f"ERROR aiokafka.consumer.group_coordinator: {COORDINATOR}\n"
    assert not startup.demoted
