"""deploy/docker-compose.yml through compose-go, the loader behind ``docker compose config``.

No Docker engine runs on the CI machine, and ``docker compose config`` needs none: what it does
is load, validate (compose-spec schema) and normalise the file with compose-go.
``deploy/compose-check`` is a small Go program around that library, built with the machine's Go.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compose-check binary, built once per session (Go's build cache makes reruns quick)."""
    go = shutil.which("go")
    if go is None:
        pytest.fail("go not found: it builds deploy/compose-check (the compose-spec loader)")
    out = tmp_path_factory.mktemp("compose-check") / "compose-check"
    built = subprocess.run(
        [go, "build", "-o", str(out), "."],
        cwd=DEPLOY / "compose-check",
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def test_compose_file_loads_as_compose_config_would(compose_check: Path) -> None:
    done = subprocess.run(
        [str(compose_check), str(DEPLOY / "docker-compose.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    model = yaml.safe_load(done.stdout)
    services = model["services"]
    assert {"kafka", "producer", "worker", "notifier", "prometheus", "grafana"} <= set(services)
    # Normalised: relative bind mounts resolved against deploy/, and every one of them exists.
    for service in services.values():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), volume["source"]
    for stage in ("producer", "worker", "notifier"):
        assert services[stage]["healthcheck"]["test"], stage


def test_compose_check_rejects_a_file_compose_would_reject(
    compose_check: Path, tmp_path: Path
) -> None:
    broken = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    broken["services"]["worker"]["restart_policy"] = "always"  # not a compose key
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    done = subprocess.run(
        [str(compose_check), str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "restart_policy" in done.stderr
