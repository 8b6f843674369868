"""deploy/: Prometheus config and rules checked by promtool, the compose file, units, dashboard."""

import configparser
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.fail("promtool not found: run deploy/prometheus/install-prometheus.sh")
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, check=False, cwd=DEPLOY / "prometheus"
    )


@pytest.mark.parametrize("config", ["prometheus.yml", "compose.yml"])
def test_promtool_accepts_the_scrape_configs(config):
    done = promtool("check", "config", config)
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_accepts_the_rules():
    done = promtool("check", "rules", "escmon-rules.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 12 rules found" in done.stdout


def test_promtool_rule_unit_tests_pass():
    done = promtool("test", "rules", "escmon-rules.test.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_stage_is_scraped():
    cfg = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in cfg["scrape_configs"]}
    assert jobs == {
        "escmon-producer": ["127.0.0.1:9101"],
        "escmon-worker": ["127.0.0.1:9102"],
        "escmon-notifier": ["127.0.0.1:9103"],
    }


def test_compose_file_defines_the_stack_and_points_at_existing_files():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "producer", "worker", "notifier", "prometheus", "grafana"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    for name in ("producer", "worker", "notifier"):
        assert services[name]["command"] == [name]
        assert "healthcheck" in services[name]
    for service in services.values():
        for volume in service.get("volumes", []):
            host = volume.split(":", 1)[0]
            if host.startswith("./"):
                assert (DEPLOY / host).exists(), f"compose mounts missing {host}"
    assert (DEPLOY / "Dockerfile").exists()


@pytest.mark.parametrize("stage", ["producer", "worker", "notifier"])
def test_systemd_units_run_the_stage_with_restart_and_hardening(stage):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / f"escmon-{stage}.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith(f"escmon {stage}")
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"


def test_dashboard_panels_all_use_the_provisioned_datasource():
    dash = json.loads((DEPLOY / "grafana" / "dashboards" / "escmon.json").read_text())
    ds = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "escmon.yml").read_text()
    )["datasources"][0]
    assert dash["panels"], "the dashboard has panels"
    for panel in dash["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == ds["uid"]
