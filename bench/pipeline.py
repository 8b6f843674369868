"""Sustained articles/s from ``articles.raw`` to ``articles.tagged`` through the real worker.

Four figures on the same broker and the same articles, each the median of ``--runs`` runs:

- ``offline``: ``Tagger.tag_many`` in this process (no Kafka), the tagging cost alone;
- ``passthrough``: a bare kafka-python consume-and-produce process (no Faust, no tagging), the
  ceiling the broker and clients allow on this machine;
- ``worker_1`` / ``worker_2``: one and two ``escmon worker`` processes (Faust + tagger).

A run starts the consumer process(es), waits until they hold the partitions, then publishes the
articles as fast as kafka-python can (a live stream, not a backlog read at start-up). The rate is
taken over the middle 80% of the output records' timestamps (sustained), with the whole-run rate
(first send to last output record) kept beside it.

Both corpora run by default: feed items (1-3 sentences, what RSS summaries look like) and full
news articles (the seed article), because the bars land differently on them.

    python bench/pipeline.py [--texts items|news|both] [--articles 20000] [--news-articles 2000]
                             [--runs 3] [--partitions 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` and the packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Process,
    TopicCounter,
    free_port,
    local_broker,
    machine,
    make_articles,
    median,
    news_texts,
    produce,
    read_all,
    realistic_texts,
    wait_assigned,
    wait_until,
    write_config,
    write_result,
)
from escmon.models import Article  # noqa: E402

NAME = "pipeline"


def passthrough(bootstrap: str, source: str, target: str, group: str) -> None:
    """Copy ``source`` to ``target`` record by record until SIGTERM (run in its own process)."""
    from kafka import KafkaConsumer, KafkaProducer

    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    consumer = KafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
    )
    prod = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=256 * 1024
    )
    announced = False
    while not stop:
        batches = consumer.poll(timeout_ms=200, max_records=500)
        if not announced and consumer.assignment():
            print("ready", flush=True)
            announced = True
        for records in batches.values():
            for r in records:
                prod.send(target, key=r.key, value=r.value)
    prod.flush(30)
    prod.close()
    consumer.close()


def _finish(
    bootstrap: str, topic: str, n: int, started_wall: float, procs: list[Process], timeout: float
) -> dict[str, Any]:
    """Wait for ``n`` records on ``topic``; rate from the first send to the last record."""

    count = TopicCounter(bootstrap, topic)

    def done() -> bool:
        for p in procs:
            if not p.alive():
                msg = f"a process exited mid-run:\n{p.tail()}"
                raise RuntimeError(msg)
        return count() >= n

    try:
        wait_until(done, timeout, f"{n} records on {topic}", every=0.25)
    finally:
        count.close()
    records = read_all(bootstrap, topic)
    stamps = sorted(r.timestamp / 1000.0 for r in records)
    keys = [r.key for r in records]
    seconds = max(stamps[-1] - started_wall, 1e-6)
    # Sustained rate: the middle 80% of the output, so the first fetch and batch and the tail of
    # the last one do not count; the whole-run rate is kept beside it.
    lo, hi = int(0.1 * len(stamps)), int(0.9 * len(stamps)) - 1
    steady = (hi - lo) / max(stamps[hi] - stamps[lo], 1e-3)
    return {
        "articles_per_s": round(steady, 1),
        "whole_run_articles_per_s": round(n / seconds, 1),
        "seconds": round(seconds, 3),
        "records": len(keys),
        "duplicates": len(keys) - len(set(keys)),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def run_passthrough(
    folder: Path, bootstrap: str, articles: list[Article], partitions: int, run: int
) -> dict[str, Any]:
    """One passthrough run on fresh topics."""
    _, settings = write_config(folder, bootstrap, kafka={"partitions": partitions})
    t = settings.topics
    code = "import sys; from bench.pipeline import passthrough; passthrough(*sys.argv[1:])"
    proc = Process(
        [
            sys.executable,
            "-c",
            code,
            bootstrap,
            t.raw,
            t.tagged,
            f"{settings.kafka.app_prefix}-pass",
        ],
        folder / f"passthrough-{run}.log",
    )
    try:
        try:
            wait_until(lambda: "ready" in proc.tail(), 180, "passthrough consumer assigned")
        except TimeoutError as exc:
            msg = f"{exc}\n{proc.tail()}"
            raise RuntimeError(msg) from None
        cpu = proc.cpu_seconds()
        started = time.time()
        sent = produce(bootstrap, t.raw, articles)
        result = _finish(bootstrap, t.tagged, len(articles), started, [proc], 300)
        result.update(_cpu(len(articles), proc.cpu_seconds() - cpu))
    finally:
        proc.stop()
    result["produce_seconds"] = round(sent, 3)
    return result


def run_workers(
    folder: Path, bootstrap: str, articles: list[Article], partitions: int, workers: int, run: int
) -> dict[str, Any]:
    """One run of ``workers`` escmon worker processes on fresh topics and a fresh group."""
    path, settings = write_config(folder, bootstrap, kafka={"partitions": partitions})
    ports = [free_port() for _ in range(workers)]
    procs = [
        Process.escmon(
            path, "worker", "--port", str(port), log=folder / f"worker{workers}-{run}-{i}.log"
        )
        for i, port in enumerate(ports)
    ]
    try:
        wait_assigned(ports, partitions, procs, 120)
        cpu = sum(p.cpu_seconds() for p in procs)
        started = time.time()
        sent = produce(bootstrap, settings.topics.raw, articles)
        result = _finish(bootstrap, settings.topics.tagged, len(articles), started, procs, 600)
        result.update(_cpu(len(articles), sum(p.cpu_seconds() for p in procs) - cpu))
    finally:
        for p in procs:
            p.stop()
    result["produce_seconds"] = round(sent, 3)
    return result


def run_offline(articles: list[Article]) -> dict[str, Any]:
    """Tag the same articles in-process with the configured tagger (default settings)."""
    from escmon.settings import Settings
    from processors.tagger import Tagger

    proc = Settings().processors
    tagger = Tagger(model=proc.model, batch_size=proc.batch_size)
    list(tagger.tag_many(articles[:64]))  # warm-up: lazy loading is not throughput
    started, cpu = time.perf_counter(), time.process_time()
    tagged = list(tagger.tag_many(articles))
    seconds = time.perf_counter() - started
    result = {"articles_per_s": round(len(tagged) / seconds, 1), "seconds": round(seconds, 3)}
    result.update(_cpu(len(tagged), time.process_time() - cpu))
    return result


def _cpu(n: int, cpu_seconds: float) -> dict[str, Any]:
    """Articles per CPU second of the measured process(es): less sensitive to a busy machine."""
    return {
        "cpu_seconds": round(cpu_seconds, 3),
        "articles_per_cpu_s": round(n / cpu_seconds, 1) if cpu_seconds > 0 else None,
    }


def _measure(
    folder: Path, bootstrap: str, articles: list[Article], partitions: int, runs: int, label: str
) -> dict[str, Any]:
    """Every figure for one corpus: ``runs`` rounds of offline, passthrough, 1 and 2 workers."""
    per_run: dict[str, list[dict[str, Any]]] = {
        "offline": [],
        "passthrough": [],
        "worker_1": [],
        "worker_2": [],
    }
    for run in range(runs):
        jobs: dict[str, Callable[[], dict[str, Any]]] = {
            "offline": partial(run_offline, articles),
            "passthrough": partial(run_passthrough, folder, bootstrap, articles, partitions, run),
            "worker_1": partial(run_workers, folder, bootstrap, articles, partitions, 1, run),
            "worker_2": partial(run_workers, folder, bootstrap, articles, partitions, 2, run),
        }
        for key, job in jobs.items():
            # One failed run (a process that would not start on an overloaded machine) is
            # recorded with its error; the medians use the runs that completed.
            try:
                per_run[key].append(job())
            except (RuntimeError, TimeoutError) as exc:
                print(f"{label} {key} run {run + 1} failed: {exc}", file=sys.stderr)
                per_run[key].append({"error": str(exc)[:2000]})
        print(
            f"[{label}] run {run + 1}/{runs}: "
            + ", ".join(f"{k} {v[-1].get('articles_per_s')}/s" for k, v in per_run.items()),
            flush=True,
        )
    if any(not [r for r in v if "articles_per_s" in r] for v in per_run.values()):
        msg = f"a measurement failed in every run: {per_run}"
        raise RuntimeError(msg)
    rate = {
        k: median([r["articles_per_s"] for r in v if "articles_per_s" in r])
        for k, v in per_run.items()
    }
    per_cpu = {
        k: median([r["articles_per_cpu_s"] for r in v if r.get("articles_per_cpu_s")] or [0])
        for k, v in per_run.items()
    }
    summary = {
        "offline_articles_per_s": rate["offline"],
        "passthrough_articles_per_s": rate["passthrough"],
        "worker_1_articles_per_s": rate["worker_1"],
        "worker_2_articles_per_s": rate["worker_2"],
        # The bars of issue 7: streaming keeps >= 80% of offline tagging; 2 workers >= 1.5x.
        "stream_vs_offline": round(rate["worker_1"] / rate["offline"], 3),
        "two_vs_one_worker": round(rate["worker_2"] / rate["worker_1"], 3),
        "worker_vs_passthrough": round(rate["worker_1"] / rate["passthrough"], 3),
        "bar_stream_vs_offline_0_8": rate["worker_1"] / rate["offline"] >= 0.8,
        "bar_two_workers_1_5x": rate["worker_2"] / rate["worker_1"] >= 1.5,
        # CPU cost per article of the worker process vs the tagger alone (less load-sensitive).
        "offline_articles_per_cpu_s": per_cpu["offline"],
        "worker_1_articles_per_cpu_s": per_cpu["worker_1"],
        "passthrough_articles_per_cpu_s": per_cpu["passthrough"],
        "stream_vs_offline_per_cpu": round(per_cpu["worker_1"] / per_cpu["offline"], 3)
        if per_cpu["offline"]
        else None,
    }
    return {"summary": summary, "per_run": per_run}


CORPORA = {
    # Feed items: the seed plus the dev set's 1-3 sentence texts, the length of RSS summaries.
    "items": realistic_texts,
    # Full articles: the seed article (~560 tokens), the only full article the repo holds.
    "news": news_texts,
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the pipeline benchmark on each corpus; write bench/results/pipeline.json."""
    parser = argparse.ArgumentParser(prog="bench/pipeline.py", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20000, help="feed items per run")
    parser.add_argument(
        "--news-articles",
        type=int,
        default=2000,
        help="full articles per run (each costs ~10x a feed item to tag)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--texts", choices=(*CORPORA, "both"), default="both")
    args = parser.parse_args(argv)
    names = list(CORPORA) if args.texts == "both" else [args.texts]
    info = machine()
    corpora: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="escmon-bench-") as tmp:
        folder = Path(tmp)
        with local_broker(folder) as bootstrap:
            for name in names:
                texts = CORPORA[name]()
                n = args.articles if name == "items" else args.news_articles
                articles = make_articles(n, texts, f"bench-{name}")
                measured = _measure(folder, bootstrap, articles, args.partitions, args.runs, name)
                measured.update(
                    {
                        "articles": n,
                        "distinct_texts": len(texts),
                        "mean_chars_per_article": round(
                            sum(len(a.text) for a in articles) / len(articles), 1
                        ),
                    }
                )
                corpora[name] = measured
    headline_keys = (
        "offline_articles_per_s",
        "passthrough_articles_per_s",
        "worker_1_articles_per_s",
        "worker_2_articles_per_s",
        "stream_vs_offline",
        "two_vs_one_worker",
        "stream_vs_offline_per_cpu",
    )
    result = {
        "name": NAME,
        "summary": {
            f"{name}_{key}": corpora[name]["summary"][key]
            for name in names
            for key in headline_keys
        },
        "method": "per corpus, median of runs; each run: consumers ready on empty topics, then "
        "the articles are published as fast as kafka-python can; rate = output records in the "
        "middle 80% of the output timestamps / their time span (whole-run rate beside it); "
        "offline = Tagger.tag_many in-process on the same articles",
        "runs": args.runs,
        "partitions": args.partitions,
        "machine": info,
        "corpora": corpora,
    }
    write_result(NAME, result)
    for name in names:
        print(f"pipeline [{name}] ({corpora[name]['articles']} articles, median of {args.runs}):")
        for key, value in corpora[name]["summary"].items():
            print(f"  {key:32} {value}")
    return result


if __name__ == "__main__":
    main()
