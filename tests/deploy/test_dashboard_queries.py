"""Every Grafana panel query returns data from a real Prometheus scraping a running pipeline."""

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from kafka import KafkaProducer

from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import SEED_ARTICLE, SEEDS, free_port, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DASHBOARD = (
    Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards" / "escmon.json"
)


def _query(port: int, expr: str) -> list:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = json.loads(resp.read())
    assert body["status"] == "success", body
    return body["data"]["result"]


def test_each_dashboard_query_returns_data(make_config, escmon_proc, tmp_path, kafka_bootstrap):
    exe = shutil.which("prometheus")
    if exe is None:
        pytest.fail("prometheus not found: run deploy/prometheus/install-prometheus.sh")
    path, cfg = make_config(
        producers={
            "feeds": [
                {"name": "local", "url": str(SEEDS / "feeds" / "local.xml"), "interval": 2},
                {"name": "down", "url": f"http://127.0.0.1:{free_port()}/rss", "interval": 2},
            ],
        }
    )
    settings = load_settings(path)
    ensure_topics(settings)
    ports = cfg["metrics"]
    for stage in ("worker", "notifier", "producer"):
        escmon_proc("--config", str(path), stage)
    (tmp_path / "inbox" / "junk.bin.txt").write_bytes(b"\x00\xff" * 50)  # a producer dead letter
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.send(settings.topics.raw, b"poison for the worker")
    producer.send(settings.topics.tagged, b"poison for the event stage")
    # The shipped rules read events, so the notifier consumes the events topic.
    producer.send(settings.topics.events, b"poison for the notifier")
    producer.flush()
    producer.close()

    prom_port = free_port()
    prom_cfg = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": f"escmon-{stage}",
                "static_configs": [{"targets": [f"127.0.0.1:{ports[f'{stage}_port']}"]}],
            }
            for stage in ("producer", "worker", "notifier")
        ],
    }
    (tmp_path / "prom.yml").write_text(yaml.safe_dump(prom_cfg))
    prom = subprocess.Popen(
        [
            exe,
            f"--config.file={tmp_path / 'prom.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "prom.log", "wb"),  # noqa: SIM115
    )
    try:
        wait_for(
            lambda: (
                _query(prom_port, "up")
                and all(r["value"][1] == "1" for r in _query(prom_port, "up"))
                and len(_query(prom_port, "up")) == 3
            ),
            60,
            "Prometheus scraping all three stages",
        )
        # The seed article arrives after the first scrapes so counters visibly increase.
        shutil.copy(SEED_ARTICLE, tmp_path / "inbox" / SEED_ARTICLE.name)
        dash = json.loads(DASHBOARD.read_text())
        targets = [(p["title"], t["expr"]) for p in dash["panels"] for t in p["targets"]]
        empty: list[str] = []

        def all_have_data() -> bool:
            empty.clear()
            empty.extend(
                f"{title}: {expr}" for title, expr in targets if not _query(prom_port, expr)
            )
            return not empty

        wait_for(all_have_data, 90, "data for every panel query", every=2.0)
    except BaseException:
        print("queries without data:\n" + "\n".join(empty))
        raise
    finally:
        prom.terminate()
        prom.wait(timeout=30)
    assert not empty
