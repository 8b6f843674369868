"""One exception base, caught once in the CLI: one line, exit 2 for configuration, 1 otherwise."""

import subprocess
import sys

import pytest

from alerts.notify import DeliveryError as NotifyDeliveryError
from alerts.rules import RulesError
from alerts.silencestore import SilenceError
from alerts.templates import TemplateError
from escmon import cli
from escmon.broker import BrokerError as BrokerBrokerError
from escmon.errors import (
    EXIT_CONFIG,
    EXIT_RUNTIME,
    BrokerError,
    ConfigError,
    DeliveryError,
    EscmonError,
    InputError,
)
from escmon.models import RecordError
from escmon.settings import ConfigError as SettingsConfigError
from escmon.topics import TopicError
from processors.nlp import ModelNotFoundError


@pytest.mark.parametrize(
    ("error", "kind", "builtin", "code"),
    [
        (SettingsConfigError, ConfigError, ValueError, EXIT_CONFIG),
        (RulesError, ConfigError, ValueError, EXIT_CONFIG),
        (TemplateError, ConfigError, ValueError, EXIT_CONFIG),
        (ModelNotFoundError, ConfigError, RuntimeError, EXIT_CONFIG),
        (RecordError, InputError, ValueError, EXIT_RUNTIME),
        (SilenceError, InputError, ValueError, EXIT_RUNTIME),
        (NotifyDeliveryError, DeliveryError, RuntimeError, EXIT_RUNTIME),
        (BrokerBrokerError, BrokerError, RuntimeError, EXIT_RUNTIME),
        (TopicError, BrokerError, RuntimeError, EXIT_RUNTIME),
    ],
)
def test_each_module_error_keeps_its_name_and_sits_under_its_kind(error, kind, builtin, code):
    assert issubclass(error, kind)
    assert issubclass(error, EscmonError)
    # Code catching the builtin base it had before still catches it.
    assert issubclass(error, builtin)
    assert error("x").exit_code == code


def _escmon(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "escmon.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_a_runtime_error_is_one_line_and_exit_1_and_debug_adds_the_traceback(tmp_path):
    # A bad --log-level reaches logging as a ValueError: a failure nobody raised on purpose,
    # which still ends as one line (the "unexpected" form) unless --debug asks for more.
    cfg = tmp_path / "c.yaml"
    cfg.write_text("state_dir: state\n")
    done = _escmon("--config", str(cfg), "--log-level", "LOUD", "config", "check")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("escmon: unexpected error: ValueError:")
    assert "--debug shows the traceback" in lines[0]
    debug = _escmon("--config", str(cfg), "--log-level", "LOUD", "--debug", "config", "check")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("escmon: unexpected error:")


def test_fail_names_the_kind_and_writes_the_line_for_the_supervisor(tmp_path, capsys, monkeypatch):
    error_file = tmp_path / "notifier.error"
    monkeypatch.setenv(cli.ERROR_FILE_ENV, str(error_file))
    assert cli._fail(RulesError("rules.yaml: rule 'r': type: bad"), debug=False) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err == "escmon: config error: rules.yaml: rule 'r': type: bad\n"
    assert error_file.read_text() == err
    assert cli._fail(BrokerError("no broker on 127.0.0.1:1"), debug=False) == EXIT_RUNTIME
    assert capsys.readouterr().err == "escmon: broker: no broker on 127.0.0.1:1\n"
    assert "Traceback" not in err
