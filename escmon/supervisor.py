"""``escmon run``: the local broker (when configured) plus producer, worker and notifier processes.

Each stage runs as its own process, as it would under systemd or in containers; this supervisor
only starts them, restarts one that dies or that stays not ready too long (the readiness
watchdog, ``supervisor.unready_restart``), and shuts everything down on SIGTERM/SIGINT.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

from escmon.broker import LocalBroker
from escmon.errors import EXIT_CONFIG
from escmon.settings import Settings, config_path
from escmon.topics import ensure_topics
from escmon.watchdog import Readiness, ReadinessWatchdog, Restart

logger = logging.getLogger(__name__)

STAGES = ("producer", "worker", "notifier")

# The stages serve /readyz on the loopback or a given address; never ask a proxy for it.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def probe(url: str, timeout: float) -> Readiness:
    """Ask one /readyz: 200 is ready, another status not ready, no answer in time no answer."""
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            return Readiness.READY if resp.status == 200 else Readiness.NOT_READY
    except urllib.error.HTTPError as exc:
        exc.close()
        return Readiness.NOT_READY
    except (OSError, http.client.HTTPException):
        # Refused (not listening yet, or gone), timed out (stopped or its event loop blocked),
        # or a broken answer: nothing says it is ready.
        return Readiness.NO_ANSWER


class Supervisor:
    """Starts, watches and stops the stage processes."""

    def __init__(self, settings: Settings, config: str | None) -> None:
        self.settings = settings
        path = config_path(config)
        self.config = str(Path(path).resolve()) if path else None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, float] = {}
        self.stopping = False
        self.watchdog = ReadinessWatchdog(settings.supervisor.unready_restart, time.monotonic)
        self.next_poll = time.monotonic() + settings.supervisor.poll_interval
        # stage -> when its process, SIGTERMed by the watchdog, gets SIGKILL if still there.
        self.killing: dict[str, float] = {}
        self.broker_reachable = True
        #: What ``escmon run`` exits with: 0, or EXIT_CONFIG when a stage stopped on its config.
        self.exit_code = 0
        # Stages that said ready since their last (re)start: the first ready is news, not a
        # recovery.
        self.been_ready: set[str] = set()
        # Each stage writes its one error line here (see escmon.cli.ERROR_FILE_ENV).
        self.errors = Path(tempfile.mkdtemp(prefix="escmon-run-"))

    def _command(self, stage: str) -> list[str]:
        cmd = [sys.executable, "-m", "escmon.cli"]
        if self.config:
            cmd += ["--config", self.config]
        return [*cmd, stage]

    def spawn(self, stage: str) -> None:
        """Start one stage process."""
        # Own process group: a Ctrl-C in the terminal reaches only this supervisor, which then
        # stops each stage once, in order, instead of every stage being signalled twice.
        env = os.environ.copy()
        error_file = self.errors / f"{stage}.error"
        error_file.unlink(missing_ok=True)
        env["ESCMON_ERROR_FILE"] = str(error_file)
        proc = subprocess.Popen(  # noqa: S603
            self._command(stage), env=env, process_group=0
        )
        self.children[stage] = proc
        self.been_ready.discard(stage)
        self.watchdog.started(stage)
        logger.info("started %s (pid %d)", stage, proc.pid)

    def readyz_url(self, stage: str) -> str | None:
        """Where ``stage`` answers /readyz (None when its metrics port is 0: not served)."""
        m = self.settings.metrics
        port = int(getattr(m, f"{stage}_port"))
        if port <= 0:
            return None
        # A stage bound to every address is reached on the loopback.
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(m.host, m.host)  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/readyz"

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            logger.info("received %s: shutting down", signal.Signals(signum).name)
        self.stopping = True

    def watch(self) -> None:
        """Restart a stage that exits or stays not ready too long, until asked to stop."""
        while not self.stopping:
            time.sleep(0.5)
            self._reap()
            if not self.stopping:
                self._check_readiness()

    def _reap(self) -> None:
        """Restart (with a pause) a stage that exited; SIGKILL one the watchdog stopped in vain."""
        for stage, proc in list(self.children.items()):
            code = proc.poll()
            if code is None:
                deadline = self.killing.get(stage)
                if deadline is not None and time.monotonic() > deadline:
                    logger.error(
                        "%s (pid %d) did not stop in %.0fs; killing it",
                        stage,
                        proc.pid,
                        self.settings.supervisor.stop_grace,
                    )
                    _signal_group(proc, signal.SIGKILL)
                    self.killing[stage] = float("inf")
                continue
            if self.stopping:
                continue
            if code == EXIT_CONFIG and stage not in self.killing:
                self._stop_on_config_error(stage)
                return
            why = (
                "stopped by the watchdog" if self.killing.pop(stage, None) is not None else "exited"
            )
            self.watchdog.forget(stage)
            delay = 5.0 if time.monotonic() - self.restarts.get(stage, 0) < 60 else 1.0
            logger.error("%s %s with code %s; restarting in %.0fs", stage, why, code, delay)
            time.sleep(delay)
            self.restarts[stage] = time.monotonic()
            if not self.stopping:
                self.spawn(stage)

    def _stop_on_config_error(self, stage: str) -> None:
        """A stage that exits 2 would fail the same way at every restart: stop everything."""
        line = self.stage_error(stage) or "(its error line is above)"
        logger.error(
            "%s exited with code %d, a configuration error: %s; not restarting it; shutting down",
            stage,
            EXIT_CONFIG,
            line,
        )
        self.exit_code = EXIT_CONFIG
        self.stopping = True

    def stage_error(self, stage: str) -> str | None:
        """The one error line ``stage`` wrote when it last exited, if any."""
        try:
            text = (self.errors / f"{stage}.error").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text.removeprefix("escmon: ").removeprefix("config error: ") or None

    def _check_readiness(self) -> None:
        """Poll each live stage's /readyz (every ``poll_interval``) and act on the watchdog."""
        now = time.monotonic()
        if not self.watchdog.enabled or now < self.next_poll:
            return
        sup = self.settings.supervisor
        self.next_poll = now + sup.poll_interval
        watched = {
            stage: (proc, url)
            for stage, proc in self.children.items()
            if (url := self.readyz_url(stage)) is not None
            and proc.poll() is None
            and self.watchdog.watching(stage)
        }
        # All at once, so one hung stage delays this round (and exit detection) by one timeout,
        # not one per stage.
        with ThreadPoolExecutor(max_workers=len(watched) + 1) as pool:
            broker = pool.submit(broker_reachable, self.settings.kafka.servers, sup.poll_timeout)
            answers = {
                stage: pool.submit(probe, url, sup.poll_timeout)
                for stage, (_, url) in watched.items()
            }
            reachable = broker.result()
        if self.stopping:
            return
        if reachable != self.broker_reachable:
            if reachable:
                logger.info("broker reachable again; the readiness watchdog counts again")
            else:
                logger.warning(
                    "broker unreachable (%s); no stage is restarted for being not ready "
                    "until it is back",
                    self.settings.kafka.bootstrap,
                )
            self.broker_reachable = reachable
        for stage, (proc, _) in watched.items():
            readiness = answers[stage].result()
            was_unready = self.watchdog.unready_for(stage)
            if readiness is Readiness.READY and stage not in self.been_ready:
                # Seen at a poll, so this is when it was noticed, not when it became ready.
                logger.info("%s ready (seen %.0fs after its start)", stage, was_unready)
                self.been_ready.add(stage)
            elif readiness is Readiness.READY and was_unready > 0:
                logger.info("%s ready again after %.1fs not ready", stage, was_unready)
            verdict = self.watchdog.observe(stage, readiness, broker_reachable=reachable)
            if verdict is not None:
                self._restart_unready(proc, verdict)

    def _restart_unready(self, proc: subprocess.Popen[bytes], verdict: Restart) -> None:
        """SIGTERM a stage the watchdog gave up on; :meth:`_reap` kills it later and respawns."""
        grace = self.settings.supervisor.stop_grace
        logger.error(
            "%s (pid %d) not ready for %.0fs (last /readyz: %s; limit %.0fs); restarting it",
            verdict.stage,
            proc.pid,
            verdict.unready_for,
            verdict.last.value,
            self.watchdog.limit,
        )
        _signal_group(proc, signal.SIGTERM)
        # A stopped (SIGSTOP) process acts on SIGTERM only once it runs again.
        _signal_group(proc, signal.SIGCONT)
        self.killing[verdict.stage] = time.monotonic() + grace

    def stop(self) -> None:
        """SIGTERM every stage, then SIGKILL what is left after the grace period."""
        grace = self.settings.supervisor.stop_grace
        for proc in self.children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + grace
        for stage, proc in self.children.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in %.0fs; killing it", stage, grace)
                proc.kill()
                proc.wait()
            logger.info("%s stopped (code %s)", stage, proc.returncode)
        shutil.rmtree(self.errors, ignore_errors=True)


def broker_reachable(servers: list[str], timeout: float) -> bool:
    """Whether any bootstrap server accepts a TCP connection (TLS/SASL are not checked)."""
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return True
        except OSError:
            continue
    return False


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the stage's process group (its pid: it was started with ``process_group=0``)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass  # already gone; _reap sees the exit


def run_all(settings: Settings, *, config: str | None, keep_broker: bool = False) -> int:
    """Run the whole pipeline until SIGTERM/SIGINT."""
    broker: LocalBroker | None = None
    started_broker = False
    if settings.kafka.local_broker:
        b = settings.broker
        broker = LocalBroker(
            settings.state_dir,
            port=b.port,
            controller_port=b.controller_port,
            heap=b.heap,
            java=b.java,
        )
        started_broker = not broker.status().running
        broker.start(timeout=b.start_timeout)
    ensure_topics(settings)
    sup = Supervisor(settings, config)
    signal.signal(signal.SIGTERM, sup._on_signal)
    signal.signal(signal.SIGINT, sup._on_signal)
    try:
        for stage in STAGES:
            sup.spawn(stage)
        m = settings.metrics
        logger.info(
            "pipeline running; metrics on http://%s:{%d,%d,%d}/metrics; Ctrl-C stops",
            m.host,
            m.producer_port,
            m.worker_port,
            m.notifier_port,
        )
        sup.watch()
    finally:
        sup.stop()
        if broker is not None and started_broker and not keep_broker:
            broker.stop()
    return sup.exit_code
