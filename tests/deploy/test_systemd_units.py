"""The systemd units with deploy/escmon.example.yaml, run as systemd would run them.

Each unit's ExecStart runs under bubblewrap (tests/deploy/sandbox.py) with the unit's
Environment=, EnvironmentFile=, WorkingDirectory=, User= and ReadWritePaths= semantics: the
installed layout is /opt/escalation-monitor (this checkout and its .venv, read-only),
/etc/escmon/escmon.yaml (the example config, verbatim) with rules.yaml beside it, and the env file
pointing the example at the test session's broker. Every stage must become ready and write only
under /var/lib/escmon; then a file dropped in the inbox must come out as the console alert.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from escmon.settings import load_settings
from tests.conftest import SEED_ARTICLE, free_port, wait_for
from tests.deploy.sandbox import REPO, SYSTEMD_PATH, Unit, bwrap, host_path, read_only_view

DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("escmon-*.service"))
STAGES = ["producer", "worker", "notifier"]
INSTALL = "/opt/escalation-monitor"
STATE = "/var/lib/escmon"
# Mount points inside the sandbox (PrivateTmp=), not temporary files of this test.
TMP = "/tmp"  # noqa: S108
VAR_TMP = "/var/tmp"  # noqa: S108
# The uid standing in for the `escmon` system user: one this machine does not use, so it owns
# nothing here but the state folder (which systemd's StateDirectory= chowns to User=).
ESCMON_UID = 64055


def unit(stage: str) -> Unit:
    return Unit.read(DEPLOY / "systemd" / f"escmon-{stage}.service")


def test_there_is_one_unit_per_stage():
    assert [u.name for u in UNITS] == [f"escmon-{s}.service" for s in sorted(STAGES)]


def test_example_config_is_the_one_the_units_need():
    settings = load_settings(DEPLOY / "escmon.example.yaml")
    assert settings.state_dir == Path(STATE)
    assert settings.kafka.local_broker is False
    assert settings.producers.inbox == Path(STATE) / "inbox"
    # Relative to the config's folder: /etc/escmon/rules.yaml once installed as documented.
    assert settings.alerts.rules == DEPLOY / "rules.yaml"
    assert settings.producers.feeds == []
    for stage in STAGES:
        u = unit(stage)
        assert u.one("User") == "escmon"
        assert u.one("StateDirectory") == "escmon"
        assert u.one("WorkingDirectory") == STATE
        assert u.one("ReadWritePaths") == STATE
        assert u.environment({})["ESCMON_CONFIG"] == "/etc/escmon/escmon.yaml"


def test_systemd_analyze_verify_accepts_the_units():
    """`systemd-analyze verify` checks every key and that ExecStart's program exists.

    It runs in a view where /opt/escalation-monitor is this checkout, so the ExecStart path
    resolves to the real venv's escmon. systemd reports unknown keys and bad values on stderr
    with exit code 0, so stderr must be empty.
    """
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.fail("systemd-analyze not found (Debian package systemd)")
    for path in UNITS:
        done = subprocess.run(
            [
                bwrap(),
                *read_only_view(
                    {
                        INSTALL: ["--ro-bind", str(REPO), INSTALL],
                        TMP: ["--tmpfs", TMP],
                        "/dev": ["--dev", "/dev"],
                        "/proc": ["--proc", "/proc"],
                    }
                ),
                "--",
                exe,
                "verify",
                # By its installed path: systemd-analyze finds no unit by a path under /tmp.
                f"{INSTALL}/{path.relative_to(REPO)}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{path.name}: {done.stdout}{done.stderr}"
        assert done.stderr == "", f"{path.name}: {done.stderr}"


class Sandboxed:
    """One stage's ExecStart running in the sandbox, its output in a log file."""

    def __init__(self, stage: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.stage = stage
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            command, env=env, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int | None:
        """SIGTERM the stage's processes, as systemd's KillMode=control-group does.

        bwrap itself is left out: it waits for the stage and exits with the stage's code, which
        is what systemd would see of the main process.
        """
        if self.popen.poll() is None:
            for pid in self._members():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._fh.close()
        return self.popen.returncode

    def _members(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != self.popen.pid:
                with contextlib.suppress(OSError):
                    if os.getpgid(int(entry.name)) == self.popen.pid:
                        pids.append(int(entry.name))
        return pids


@pytest.fixture
def installed(tmp_path: Path, kafka_bootstrap: str, unique: str) -> dict[str, Path]:
    """The install as docs/operations.md lays it out, as host folders to bind into the sandbox."""
    try:
        pwd.getpwuid(ESCMON_UID)
        pytest.fail(f"uid {ESCMON_UID} is taken on this machine; pick another for the test")
    except KeyError:
        pass
    etc = tmp_path / "etc-escmon"
    etc.mkdir()
    shutil.copy(DEPLOY / "escmon.example.yaml", etc / "escmon.yaml")
    shutil.copy(REPO / "seeds" / "rules.yaml", etc / "rules.yaml")
    # The env file is where an operator points the example at a cluster; here the session's
    # single broker, with this test's own topics, consumer groups and free ports.
    overrides = {
        "KAFKA__BOOTSTRAP": kafka_bootstrap,
        "KAFKA__REPLICATION": "1",
        "KAFKA__PARTITIONS": "2",
        "KAFKA__APP_PREFIX": f"t{unique}",
        "TOPICS__RAW": f"raw-{unique}",
        "TOPICS__TAGGED": f"tagged-{unique}",
        "TOPICS__BY_COUNTRY": f"bycountry-{unique}",
        "TOPICS__EVENTS": f"events-{unique}",
        "TOPICS__ALERTS": f"alerts-{unique}",
        "TOPICS__DEADLETTER": f"dead-{unique}",
        "METRICS__PRODUCER_PORT": str(free_port()),
        "METRICS__WORKER_PORT": str(free_port()),
        "METRICS__NOTIFIER_PORT": str(free_port()),
        "ALERTS__TICK_INTERVAL": "1",
    }
    env_file = etc / "escmon.env"
    env_file.write_text("".join(f"ESCMON_{k}={v}\n" for k, v in overrides.items()))
    env_file.chmod(0o600)
    state = tmp_path / "var-lib-escmon"
    state.mkdir()
    os.chown(state, ESCMON_UID, ESCMON_UID)  # what StateDirectory= does before the start
    private_tmp = tmp_path / "private-tmp"
    private_tmp.mkdir(mode=0o1777)
    private_tmp.chmod(0o1777)
    passwd = tmp_path / "passwd"
    group = tmp_path / "group"
    # `useradd --system --home-dir /var/lib/escmon --shell /usr/sbin/nologin escmon`
    passwd.write_text(
        Path("/etc/passwd").read_text()
        + f"escmon:x:{ESCMON_UID}:{ESCMON_UID}::{STATE}:/usr/sbin/nologin\n"
    )
    group.write_text(Path("/etc/group").read_text() + f"escmon:x:{ESCMON_UID}:\n")
    return {
        INSTALL: REPO,
        "/etc/escmon": etc,
        STATE: state,
        TMP: private_tmp,
        "/etc/passwd": passwd,
        "/etc/group": group,
    }


HIDDEN = (TMP, VAR_TMP, "/home", "/root", "/run/user")


def checkout_shown() -> dict[str, list[str]]:
    """Bind this checkout back (read-only) at its own path when the sandbox hides its folder.

    The venv's scripts name their interpreter by the checkout's real path
    (``#!/<checkout>/.venv/bin/python``); a CI clone under /tmp is hidden by PrivateTmp's fresh
    /tmp, so that path must exist there too. An install in /opt needs no such exception.
    """
    for hidden in HIDDEN:
        if REPO.is_relative_to(hidden):
            # bwrap creates a mount point's missing parents private (0700), which the service
            # user cannot pass (a clone at /tmp/ci/main): they are made as plain folders first
            shown = {
                str(parent): ["--dir", str(parent)]
                for parent in reversed(REPO.parents)
                if parent.is_relative_to(hidden) and parent != Path(hidden)
            }
            shown[str(REPO)] = ["--ro-bind", str(REPO), str(REPO)]
            return shown
    return {}


def sandbox_command(u: Unit, root: dict[str, Path]) -> tuple[list[str], dict[str, str]]:
    """bwrap + setpriv + ExecStart, and the environment systemd would give the process."""
    rw = u.get("ReadWritePaths")
    mounts: dict[str, list[str]] = {
        "/dev": ["--dev", "/dev"],  # PrivateDevices=true
        "/proc": ["--proc", "/proc"],
        TMP: ["--bind", str(root[TMP]), TMP],  # PrivateTmp=true, kept to look at
        VAR_TMP: ["--tmpfs", VAR_TMP],
        INSTALL: ["--ro-bind", str(root[INSTALL]), INSTALL],
        "/etc/escmon": ["--ro-bind", str(root["/etc/escmon"]), "/etc/escmon"],
        "/etc/passwd": ["--ro-bind", str(root["/etc/passwd"]), "/etc/passwd"],
        "/etc/group": ["--ro-bind", str(root["/etc/group"]), "/etc/group"],
    }
    for path in rw:
        mounts[path] = ["--bind", str(host_path(Path(path), root)), path]
    if u.one("ProtectHome") == "true":
        for home in ("/home", "/root", "/run/user"):
            if Path(home).exists():
                mounts[home] = ["--dir", home]
        # This machine's venv is built on a pyenv interpreter under /root, which ProtectHome
        # hides; bind that interpreter back (read-only). A production venv made with Debian's
        # /usr/bin/python3 needs no such exception.
        base = Path(sys.base_prefix).resolve()
        if base.is_relative_to("/root") or base.is_relative_to("/home"):
            mounts[str(base)] = ["--ro-bind", str(base), str(base)]
    mounts.update(checkout_shown())
    user = u.one("User")
    env = {
        "PATH": SYSTEMD_PATH,
        "HOME": STATE,
        "USER": user,
        "LOGNAME": user,
        "SHELL": "/usr/sbin/nologin",
        **u.environment(root),
    }
    command = [
        bwrap(),
        *read_only_view(mounts),
        "--chdir",
        u.one("WorkingDirectory"),
        "--die-with-parent",
        "--",
        "setpriv",
        f"--reuid={ESCMON_UID}",
        f"--regid={ESCMON_UID}",
        "--clear-groups",
        "--inh-caps=-all",
        *(["--no-new-privs"] if u.one("NoNewPrivileges") == "true" else []),
        "--",
        *shlex.split(u.one("ExecStart")),
    ]
    return command, env


def readyz(port: str) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:  # noqa: S310
        return r.status == 200


@pytest.fixture
def started(request: pytest.FixtureRequest) -> Iterator[dict[str, Sandboxed]]:
    """The sandboxed stages a test starts, stopped after it; their logs printed if it failed."""
    procs: dict[str, Sandboxed] = {}
    yield procs
    for proc in procs.values():
        proc.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for proc in procs.values():
            print(f"\n--- sandboxed {proc.stage} ---\n{proc.output()[-6000:]}")


@pytest.mark.integration
@pytest.mark.slow
def test_each_unit_runs_its_stage_read_only_but_for_var_lib_escmon(
    installed: dict[str, Path], started: dict[str, Sandboxed], tmp_path: Path
):
    env_ports = {}
    # The producer first: it creates the pipeline topics the Faust stages subscribe to.
    for stage in STAGES:
        u = unit(stage)
        command, env = sandbox_command(u, installed)
        env_ports[stage] = env[f"ESCMON_METRICS__{stage.upper()}_PORT"]
        proc = Sandboxed(stage, command, env, tmp_path / f"{stage}.log")
        started[stage] = proc

        def ready(proc: Sandboxed = proc, port: str = env_ports[stage]) -> bool:
            if proc.popen.poll() is not None:
                pytest.fail(f"{proc.stage} exited {proc.popen.returncode}:\n{proc.output()}")
            return readyz(port)

        wait_for(ready, 120, f"{stage} /readyz in the sandbox")

    state = installed[STATE]
    inbox = state / "inbox"
    assert inbox.is_dir(), "the producer made the inbox under /var/lib/escmon"
    (inbox / (SEED_ARTICLE.name + ".part")).write_bytes(SEED_ARTICLE.read_bytes())
    (inbox / (SEED_ARTICLE.name + ".part")).rename(inbox / SEED_ARTICLE.name)
    notifier = started["notifier"]
    wait_for(lambda: "deadly-strike" in notifier.output(), 90, "the console alert")

    codes = {stage: proc.stop() for stage, proc in started.items()}
    logs = {stage: proc.output() for stage, proc in started.items()}
    for stage, text in logs.items():
        for sign in ("Read-only file system", "Permission denied", "Traceback"):
            assert sign not in text, f"{stage}: {sign}\n{text[-4000:]}"
    assert codes == dict.fromkeys(STAGES, 0), logs

    written = sorted(p.relative_to(state) for p in state.rglob("*"))
    print("\nwritten under /var/lib/escmon:", *written, sep="\n  ")
    assert Path("producer.sqlite") in written
    assert Path("inbox/done") / SEED_ARTICLE.name in written
    assert any(p.parts[0] == "faust" for p in written)
    foreign = [str(p) for p in state.rglob("*") if p.lstat().st_uid != ESCMON_UID]
    # The seed file was dropped by the test (root); everything else the services wrote.
    assert foreign == [str(inbox / "done" / SEED_ARTICLE.name)]
    # bwrap makes the (empty) folders leading to a checkout bound back under /tmp (checkout_shown).
    made: set[Path] = set()
    if REPO.is_relative_to(TMP):
        rel = REPO.relative_to(TMP)
        made = {installed[TMP] / rel, *(installed[TMP] / p for p in rel.parents if p != Path("."))}
    leftovers = sorted(
        str(p.relative_to(installed[TMP])) for p in installed[TMP].rglob("*") if p not in made
    )
    assert leftovers == [], f"written to the private /tmp: {leftovers}"
