"""A local single-node Apache Kafka (KRaft) run from Maven Central jars.

The jars come from ``deploy/kafka/pom.xml`` via ``mvn dependency:copy-dependencies`` (once); the
broker runs as ``java -cp libs/* kafka.Kafka server.properties`` in its own session so it outlives
a Ctrl-C in the terminal that started it, and is stopped with ``escmon broker stop``. Its data, log
and pid file live under ``<state_dir>/kafka``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from escmon.errors import BrokerError

logger = logging.getLogger(__name__)

READY_LINE = "Kafka Server started"


def kafka_home() -> Path:
    """The folder holding pom.xml and log4j2.properties (``$ESCMON_KAFKA_HOME`` overrides)."""
    env = os.environ.get("ESCMON_KAFKA_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "deploy" / "kafka"


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); look at its state to know it is gone.
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().split(") ", 1)[1][:1] != "Z"
    return True


@dataclass
class BrokerStatus:
    """What ``escmon broker status`` reports."""

    running: bool
    pid: int | None
    bootstrap: str
    state_dir: Path
    log_file: Path


class LocalBroker:
    """Prepare, start, wait for and stop the embedded broker."""

    def __init__(
        self,
        state_dir: Path,
        *,
        port: int = 19092,
        controller_port: int = 19093,
        heap: str = "512m",
        java: str = "java",
        home: Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.home = home or kafka_home()
        self.dir = state_dir / "kafka"
        self.port = port
        self.controller_port = controller_port
        self.heap = heap
        self.java = java
        self.host = host

    @property
    def bootstrap(self) -> str:
        """host:port clients connect to."""
        return f"{self.host}:{self.port}"

    @property
    def libs(self) -> Path:
        """Where the Kafka jars are copied."""
        return Path(os.environ.get("ESCMON_KAFKA_LIBS", self.home / "libs"))

    @property
    def log_file(self) -> Path:
        """The broker's own log (server.log)."""
        return self.dir / "server.log"

    @property
    def pid_file(self) -> Path:
        """The pid of the running broker."""
        return self.dir / "broker.pid"

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        if java_home and (Path(java_home) / "bin" / "java").exists():
            return str(Path(java_home) / "bin" / "java")
        found = shutil.which(self.java)
        if not found:
            msg = f"java not found ({self.java!r}); install Java 17+ or set JAVA_HOME"
            raise BrokerError(msg)
        return found

    def pid(self) -> int | None:
        """The running broker's pid, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def status(self) -> BrokerStatus:
        """Is our broker running?"""
        pid = self.pid()
        running = pid is not None and port_open(self.host, self.port)
        return BrokerStatus(running, pid, self.bootstrap, self.dir, self.log_file)

    def ensure_jars(self) -> None:
        """Download the broker jars with Maven once; later calls are no-ops."""
        marker = self.libs / ".complete"
        if marker.exists():
            return
        mvn = shutil.which("mvn")
        if not mvn:
            msg = "Maven (mvn) not found: it is needed once to fetch the Kafka jars"
            raise BrokerError(msg)
        logger.info("fetching Kafka jars with Maven into %s (once)", self.libs)
        self.libs.mkdir(parents=True, exist_ok=True)
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(self.home / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={self.libs}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
            msg = "mvn dependency:copy-dependencies failed:\n" + "\n".join(tail)
            raise BrokerError(msg)
        marker.write_text("ok\n")

    def _classpath(self) -> str:
        return str(self.libs / "*")

    def _write_config(self) -> Path:
        data = self.dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        props = self.dir / "server.properties"
        lines = [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{self.host}:{self.controller_port}",
            f"listeners=PLAINTEXT://{self.host}:{self.port},"
            f"CONTROLLER://{self.host}:{self.controller_port}",
            f"advertised.listeners=PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"log.dirs={data}",
            "num.partitions=4",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            # A single local member should not wait 3 s for others to join its group.
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "log.retention.hours=168",
            "log.segment.bytes=67108864",
            "message.max.bytes=16777216",
        ]
        props.write_text("\n".join(lines) + "\n")
        return props

    def _format(self, props: Path, java: str) -> None:
        if (self.dir / "data" / "meta.properties").exists():
            return
        cp = self._classpath()
        uuid = subprocess.run(  # noqa: S603
            [java, "-cp", cp, "kafka.tools.StorageTool", "random-uuid"],
            capture_output=True,
            text=True,
            check=False,
        )
        cluster_id = uuid.stdout.strip().splitlines()[-1] if uuid.stdout.strip() else ""
        if uuid.returncode != 0 or not cluster_id:
            msg = f"kafka StorageTool random-uuid failed: {uuid.stderr.strip()[-500:]}"
            raise BrokerError(msg)
        fmt = subprocess.run(  # noqa: S603
            [
                java,
                "-cp",
                cp,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(props),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if fmt.returncode != 0:
            msg = f"kafka StorageTool format failed: {(fmt.stdout + fmt.stderr).strip()[-800:]}"
            raise BrokerError(msg)

    def start(self, wait: bool = True, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker unless it already runs; wait until it serves clients."""
        current = self.status()
        if current.running:
            logger.info("local broker already running (pid %s) on %s", current.pid, self.bootstrap)
            return current
        if current.pid is None and port_open(self.host, self.port):
            msg = f"port {self.port} is in use by another process; set broker.port to a free one"
            raise BrokerError(msg)
        self.ensure_jars()
        java = self._java()
        self.dir.mkdir(parents=True, exist_ok=True)
        props = self._write_config()
        self._format(props, java)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        cmd = [
            java,
            f"-Xmx{self.heap}",
            "-Xss1m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
            f"-Descmon.kafka.logfile={self.log_file}",
            "-cp",
            self._classpath(),
            "kafka.Kafka",
            str(props),
        ]
        with open(self.dir / "stdout.log", "ab") as out:
            proc = subprocess.Popen(  # noqa: S603
                cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        logger.info("starting local broker (pid %s) on %s", proc.pid, self.bootstrap)
        if wait:
            self._wait_ready(proc, offset, timeout)
        return self.status()

    def _wait_ready(self, proc: subprocess.Popen[bytes], offset: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                msg = f"broker exited with code {proc.returncode}:\n{self.log_tail()}"
                raise BrokerError(msg)
            if self._log_since(offset).find(READY_LINE) >= 0 and port_open(self.host, self.port):
                logger.info("local broker ready on %s", self.bootstrap)
                return
            time.sleep(0.25)
        self.stop()
        msg = f"broker not ready after {timeout:.0f}s:\n{self.log_tail()}"
        raise BrokerError(msg)

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log_file, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the broker log (for error messages and failing tests)."""
        text = ""
        for path in (self.log_file, self.dir / "stdout.log"):
            with contextlib.suppress(OSError):
                text += path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL after ``timeout``); True if one was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        logger.info("stopping local broker (pid %s)", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(pid):
            _reap(pid)
            time.sleep(0.2)
        if _pid_alive(pid):
            logger.warning("broker did not stop in %.0fs; killing it", timeout)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True


def _reap(pid: int) -> None:
    # When this process started the broker it must collect the exit status itself.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
