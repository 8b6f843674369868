"""The broker stops for 20 s while the whole pipeline runs (producer, worker, notifier): every
article read before, during and after the outage is tagged, none is lost, and each alert reaches
the webhook once. The tagged topic may carry redeliveries (at-least-once); they are counted."""

import time

import pytest

from escmon.models import Alert, TaggedArticle
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.faults.faultkit import figures, start_receiver, strike_text, write_rules
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PER_PHASE = 10
OUTAGE = 20.0


def _drop(inbox, phase: str, n: int) -> set[str]:
    titles = set()
    for i in range(n):
        title = f"Strike report {phase} {i}"
        tmp = inbox / f".{phase}-{i}.txt"
        tmp.write_text(f"{title}\n\n{strike_text(i, f' ({phase})')}\n")
        tmp.rename(inbox / f"{phase}-{i}.txt")  # atomic, as a careful writer does
        titles.add(title)
    return titles


def _alerts(receiver) -> list[Alert]:
    return [Alert.from_bytes(b) for b in list(receiver.bodies)]


def test_broker_down_for_20s_under_the_whole_pipeline_loses_nothing_and_alerts_once(
    make_config, escmon_proc, kafka_bootstrap, broker_ctl, tmp_path
):
    receiver = start_receiver()
    path, cfg = make_config(
        alerts={"rules": str(write_rules(tmp_path)), "webhooks": [receiver.url], "console": False},
    )
    settings = load_settings(path)
    ensure_topics(settings)
    inbox = tmp_path / "inbox"
    procs = [
        escmon_proc("--config", str(path), stage) for stage in ("worker", "notifier", "producer")
    ]

    titles = _drop(inbox, "before", PER_PHASE)
    wait_for(lambda: len(receiver.bodies) >= PER_PHASE, 90, "alerts before the outage")

    broker_ctl.stop()
    down = time.monotonic()
    try:
        titles |= _drop(inbox, "during", PER_PHASE)
        wait_for(
            lambda: len(list((inbox / "done").glob("during-*"))) == PER_PHASE,
            30,
            "files read while the broker is down",
        )
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - down)))
        dead = [p.args[-1] for p in procs if p.popen.poll() is not None]
        assert not dead, f"stopped while the broker was away: {dead}"
    finally:
        broker_ctl.start(timeout=120)
    print(f"broker away for {time.monotonic() - down:.1f} s")
    titles |= _drop(inbox, "after", PER_PHASE)
    total = len(titles)

    back = time.monotonic()
    wait_for(
        lambda: len({a.id for a in _alerts(receiver)}) >= total,
        120,
        f"{total} alerts after the restart",
        every=1.0,
    )
    print(f"all alerts delivered {time.monotonic() - back:.1f} s after the restart")
    time.sleep(3)  # a second delivery of anything would arrive now

    records = read_topic(kafka_bootstrap, settings.topics.tagged, expect=total, timeout=30)
    tagged = [TaggedArticle.from_bytes(r.value) for r in records]
    ids_by_title = {t.title: t.id for t in tagged}
    assert set(ids_by_title) == titles, f"missing: {titles - set(ids_by_title)}"
    wanted = set(ids_by_title.values())
    tag_fig = figures(wanted, [t.id for t in tagged])
    alerts = _alerts(receiver)
    alerted = [a.article_ids[0] for a in alerts]
    alert_fig = figures(wanted, alerted)
    alert_fig["alert_ids_delivered_twice"] = len(alerts) - len({a.id for a in alerts})
    print(f"tagged: {tag_fig}\nalerts: {alert_fig}")
    receiver.shutdown()
    assert tag_fig["lost"] == 0, tag_fig
    assert alert_fig["lost"] == 0, alert_fig
    assert alert_fig["alert_ids_delivered_twice"] == 0, alert_fig
    assert alert_fig["duplicated"] == 0, alert_fig
