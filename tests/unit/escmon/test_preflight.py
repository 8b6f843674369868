"""`escmon run` refuses a bad configuration before it starts the broker or any stage.

Each case runs `escmon run` as a user would, as a process with a temporary config whose broker
is the embedded one on a free port: the command must fail with one line and exit code 2 without
touching the broker (no state folder, nothing listening), and `escmon config check` must report
the same line. No broker is needed: reaching one would itself be the failure.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, SEEDS, free_port

# Two escmon processes per case, each importing spaCy and apprise: seconds, not milliseconds.
pytestmark = pytest.mark.slow

BAD_RULES = "rules:\n  - name: typo\n    type: thresholdd\n    severity: warning\n"


def _config(tmp_path: Path, **sections: Any) -> tuple[Path, int]:
    port = free_port()
    config: dict[str, Any] = {
        "state_dir": str(tmp_path / "state"),
        "kafka": {"bootstrap": f"127.0.0.1:{port}", "local_broker": True},
        "broker": {"port": port, "controller_port": free_port(), "start_timeout": 5},
        "producers": {"inbox": None, "files": [], "feeds": []},
        "alerts": {"rules": str(SEEDS / "rules.yaml")},
        "metrics": {"producer_port": 0, "worker_port": 0, "notifier_port": 0},
    }
    for name, values in sections.items():
        config.setdefault(name, {}).update(values)
    path = tmp_path / "escmon.yaml"
    path.write_text(yaml.safe_dump(config))
    return path, port


def _escmon(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "escmon.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _bad_rules(tmp_path: Path) -> dict[str, Any]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(BAD_RULES)
    return {"alerts": {"rules": str(rules)}}


CASES = {
    # case: (sections of the config, what the one line must name)
    "bad-rules": (_bad_rules, ["rules.yaml", "rule 'typo'", "type", "thresholdd"]),
    "bad-template": (
        lambda tmp: {"alerts": {"template": "{summary} {nosuch_field}"}},
        ["alerts.template", "nosuch_field"],
    ),
    "bad-title-template": (
        lambda tmp: {"alerts": {"title_template": "[{SEVERITY] {rule}"}},
        ["alerts.title_template"],
    ),
    "bad-model": (
        lambda tmp: {"processors": {"model": "xx_no_such_pipeline_sm"}},
        ["processors.model", "xx_no_such_pipeline_sm", "not installed"],
    ),
    "bad-key": (
        lambda tmp: {"alerts": {"rulez": "rules.yaml"}},
        ["alerts.rulez", "Extra inputs are not permitted"],
    ),
    "bad-webhook": (
        lambda tmp: {"alerts": {"webhooks": ["hooks.example.org/T0123/secret"]}},
        ["alerts.webhooks[0]", "not an http(s) URL"],
    ),
    "bad-apprise": (
        lambda tmp: {"alerts": {"apprise": ["nosuchservice://tok3n/s3cret"]}},
        ["alerts.apprise[0]", "nosuchservice://"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_run_fails_on_a_bad_config_with_one_line_before_starting_anything(tmp_path, case):
    make, names = CASES[case]
    path, port = _config(tmp_path, **make(tmp_path))
    done = _escmon("--config", str(path), "run")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert line.startswith("escmon: config error: "), line
    for name in names:
        assert name in line, f"{name!r} not in {line!r}"
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    # Nothing was started: no broker (its data would be under state/kafka), no stage.
    assert not (tmp_path / "state" / "kafka").exists()
    assert not _listening(port)
    assert "started" not in done.stderr
    # Secrets in the bad values do not show either.
    assert "s3cret" not in line
    assert "secret" not in line

    check = _escmon("--config", str(path), "config", "check")
    assert check.returncode == 2
    assert check.stderr.strip().splitlines() == [line], "config check says the same"


def test_config_check_lists_every_problem_and_passes_a_good_config(tmp_path):
    sections = _bad_rules(tmp_path)
    sections["alerts"]["template"] = "{nosuch_field}"
    sections["processors"] = {"model": "xx_no_such_pipeline_sm"}
    path, _ = _config(tmp_path, **sections)
    check = _escmon("--config", str(path), "config", "check")
    assert check.returncode == 2
    lines = check.stderr.strip().splitlines()
    assert len(lines) == 3, check.stderr
    assert "thresholdd" in lines[0]
    assert "alerts.template" in lines[1]
    assert "processors.model" in lines[2]

    good, _ = _config(tmp_path)
    ok = _escmon("--config", str(good), "config", "check")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("config ok")
    assert ok.stderr == ""
