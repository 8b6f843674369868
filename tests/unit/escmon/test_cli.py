import subprocess
import sys

from escmon.cli import build_parser, main


def test_help_lists_every_command(capsys):
    text = build_parser().format_help()
    for command in (
        "run",
        "broker",
        "producer",
        "worker",
        "notifier",
        "feed",
        "tag",
        "rules",
        "config",
        "topics",
    ):
        assert command in text
    assert "ESCMON_KAFKA__BOOTSTRAP" in text


def test_bad_config_exits_2_with_one_line_and_no_traceback(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("kafka:\n  partitions: -3\n")
    done = subprocess.run(
        [sys.executable, "-m", "escmon.cli", "--config", str(cfg), "config", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "kafka.partitions" in lines[0]
    assert "Traceback" not in done.stderr


def test_config_show_prints_effective_json(tmp_path, capsys, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("kafka:\n  partitions: 7\n")
    monkeypatch.setenv("ESCMON_TOPICS__RAW", "custom.raw")
    assert main(["--config", str(cfg), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert '"partitions": 7' in out
    assert '"raw": "custom.raw"' in out
