"""Benchmark: one producer process polling N feeds on a local aiohttp server (not a test).

Round 0 is cold: every feed answers 200 with a full document (N parses). The warm rounds are the
steady state: a fraction of the feeds changed (200 with one new item, parsed) and the rest answer
304 to the conditional GET (no parse). The quiet rounds at the end are all 304s. For each kind of
round it reports feeds polled per second and the producer's CPU per feed poll
(``resource.getrusage``; the HTTP server runs in another process, so its CPU is not counted).
Nothing is published: the outbox (SQLite) is written as in production, Kafka is out of the picture.

    python bench/producers.py [--feeds 200] [--items 20] [--changed 0.1] [--rounds 7]
                              [--quiet 3] [--runs 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, bench/ comes first on sys.path and this file would shadow the package
    # ``producers`` it measures: put the repository root first instead.
    _root = str(Path(__file__).resolve().parents[1])
    sys.path[:] = [_root] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent
    ]

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import resource
import socket
import statistics
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry

from escmon.settings import Settings
from producers.service import ProducerService

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def changes(feed: int, round_: int, fraction: float) -> bool:
    """Whether ``feed`` gets a new item in ``round_`` (deterministic, spread over the feeds)."""
    return round_ == 0 or ((feed * 7919 + round_ * 104729) % 1000) < fraction * 1000


def document(feed: int, version: int, items: int) -> bytes:
    """An RSS document of ``items`` entries, the newest being number ``version + items``."""
    entries = []
    for n in range(version + items, version, -1):
        entries.append(
            f"<item><title>Feed {feed} story {n}: shelling reported near the border</title>"
            f"<link>https://feed{feed}.example.com/news/{n}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>f{feed}-{n}</guid>"
            f"<pubDate>Tue, 24 Nov 2026 {n % 24:02d}:00:00 GMT</pubDate>"
            "<description><![CDATA[<p>Officials said <b>artillery</b> struck the area overnight;"
            " two people were wounded and &amp; roads closed.</p><p>More to follow.</p>]]>"
            "</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {feed}</title><link>https://feed{feed}.example.com/</link>"
        f"<description>d</description><language>en</language>{''.join(entries)}</channel></rss>"
    ).encode()


def serve(port: int, feeds: int, items: int, fraction: float) -> None:
    """The feed server (child process): ``POST /round/R`` sets the round; feeds follow it."""
    state = {"round": 0, "changed_until": 0}

    def version(feed: int) -> int:
        last = min(state["round"], state["changed_until"])
        return sum(changes(feed, r, fraction) for r in range(1, last + 1))

    async def feed(request: web.Request) -> web.Response:
        i = int(request.match_info["i"])
        v = version(i)
        etag = f'"{i}-{v}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(
            body=document(i, v, items),
            headers={"ETag": etag, "Content-Type": "application/rss+xml"},
        )

    async def set_round(request: web.Request) -> web.Response:
        # ?quiet=1: nothing changes from this round on (every conditional GET is a 304).
        state["round"] = int(request.match_info["r"])
        if request.query.get("quiet") != "1":
            state["changed_until"] = state["round"]
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/feed/{i}", feed)
    app.router.add_post("/round/{r}", set_round)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_run(
    base: str, feeds: int, rounds: int, quiet: int, state_dir: Path
) -> list[dict[str, Any]]:
    settings = Settings(
        state_dir=state_dir,
        producers={
            "inbox": None,
            "feeds": [{"name": f"feed{i}", "url": f"{base}/feed/{i}"} for i in range(feeds)],
        },
        metrics={"producer_port": 0},
    )
    service = ProducerService(settings, CollectorRegistry())
    out = []
    connector = aiohttp.TCPConnector(limit=settings.producers.max_concurrent)
    async with aiohttp.ClientSession(connector=connector) as session:
        for r in range(rounds + quiet):
            flag = "?quiet=1" if r >= rounds else ""
            async with session.post(f"{base}/round/{r}{flag}") as resp:
                await resp.read()
            statuses_before = _fetches(service)
            c0, t0 = cpu(), time.perf_counter()
            ok = await asyncio.gather(*(service.poll(f, session) for f in settings.producers.feeds))
            wall, used = time.perf_counter() - t0, cpu() - c0
            after = _fetches(service)
            delta = {k: after.get(k, 0) - statuses_before.get(k, 0) for k in after}
            out.append(
                {
                    "round": r,
                    "quiet": r >= rounds,
                    "wall_s": wall,
                    "cpu_s": used,
                    "ok": sum(ok),
                    "parsed": int(delta.get("ok", 0)),
                    "not_modified": int(delta.get("not_modified", 0)),
                }
            )
    queued = service.store.pending_count()
    service._parser.shutdown()
    service.store.close()
    out[-1]["queued_total"] = queued
    return out


def _fetches(service: ProducerService) -> dict[str, float]:
    totals: dict[str, float] = {}
    for metric in service.registry.collect():
        if metric.name == "escmon_feed_fetches":
            for s in metric.samples:
                if s.name.endswith("_total"):
                    status = s.labels["status"]
                    totals[status] = totals.get(status, 0) + s.value
    return totals


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print a summary, write ``bench/results/producers.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20, help="entries per feed document")
    parser.add_argument("--changed", type=float, default=0.1, help="share of feeds changed/round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per run (first is cold)")
    parser.add_argument("--quiet", type=int, default=3, help="rounds with no change (all 304)")
    parser.add_argument("--runs", type=int, default=3, help="fresh state per run; medians")
    args = parser.parse_args(argv)

    port = free_port()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(port, args.feeds, args.items, args.changed), daemon=True
    )
    server.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(
                    asyncio.run(one_run(base, args.feeds, args.rounds, args.quiet, Path(tmp)))
                )
    finally:
        server.terminate()
        server.join(10)

    cold = [run[0] for run in runs]
    warm = [r for run in runs for r in run[1:] if not r["quiet"]]
    quiet = [r for run in runs for r in run if r["quiet"]]
    med = statistics.median

    def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
        return {
            "feeds_per_s": med(args.feeds / r["wall_s"] for r in rows),
            "cpu_ms_per_feed": med(1000 * r["cpu_s"] / args.feeds for r in rows),
            "cpu_ms_per_parsed_feed": med(1000 * r["cpu_s"] / max(r["parsed"], 1) for r in rows),
            "parsed_per_round": med(r["parsed"] for r in rows),
            "not_modified_per_round": med(r["not_modified"] for r in rows),
            "wall_s_per_round": med(r["wall_s"] for r in rows),
        }

    result: dict[str, Any] = {
        "benchmark": "producers",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "params": vars(args),
        "cold_all_200": summary(cold),
        "warm_mixed_304_200": summary(warm),
        "quiet_all_304": summary(quiet) if quiet else None,
        "runs": runs,
    }
    result["warm_vs_cold_cpu_ratio"] = (
        result["warm_mixed_304_200"]["cpu_ms_per_feed"] / result["cold_all_200"]["cpu_ms_per_feed"]
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "producers.json").write_text(json.dumps(result, indent=2) + "\n")
    c, w = result["cold_all_200"], result["warm_mixed_304_200"]
    print(
        f"producers: {args.feeds} local feeds x {args.items} items, {args.runs} runs (medians)\n"
        f"  cold (all 200, all parsed): {c['feeds_per_s']:.0f} feeds/s, "
        f"{c['cpu_ms_per_feed']:.2f} ms CPU per feed\n"
        f"  warm ({args.changed:.0%} changed, rest 304): {w['feeds_per_s']:.0f} feeds/s, "
        f"{w['cpu_ms_per_feed']:.2f} ms CPU per feed "
        f"(parsed {w['parsed_per_round']:.0f}, 304 {w['not_modified_per_round']:.0f} per round)\n"
        f"  warm/cold CPU per feed: {result['warm_vs_cold_cpu_ratio']:.2f}"
    )
    if quiet:
        q = result["quiet_all_304"]
        print(
            f"  quiet (all 304, no parse): {q['feeds_per_s']:.0f} feeds/s, "
            f"{q['cpu_ms_per_feed']:.2f} ms CPU per feed"
        )
    return result


if __name__ == "__main__":
    main()
