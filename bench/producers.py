"""Benchmark: one producer process polling N feeds on a local aiohttp server (not a test).

Round 0 is cold: every feed answers 200 with a full document (N parses). The warm rounds are the
steady state: a fraction of the feeds changed (200 with one new item, parsed) and the rest answer
304 to the conditional GET (no parse). The quiet rounds at the end are all 304s. For each kind of
round it reports feeds polled per second and the producer's CPU per feed poll
(``resource.getrusage``; the HTTP server runs in another process, so its CPU is not counted).
Nothing is published: the outbox (SQLite) is written as in production, Kafka is out of the picture.

    python bench/producers.py [--feeds 200] [--items 20] [--changed 0.1] [--rounds 7]
                              [--quiet 3] [--runs 3] [--full-text]

``--full-text`` runs every round twice over, feeds without and with ``full_text: true`` (their
links then point at article pages on the same local server, fetched with no politeness delay),
and writes ``bench/results/producers-fulltext.json``: CPU per poll of each kind with and without,
and the CPU per fetched page (measured after the polls, while the page queue drains).
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


def document(feed: int, version: int, items: int, pages: str | None = None) -> bytes:
    """An RSS document of ``items`` entries, the newest being number ``version + items``.

    With ``pages`` (the local server's base URL) the links point at its article pages.
    """
    entries = []
    for n in range(version + items, version, -1):
        link = (
            f"{pages}/article/{feed}/{n}"
            if pages
            else f"https://feed{feed}.example.com/news/{n}?utm_source=rss"
        )
        entries.append(
            f"<item><title>Feed {feed} story {n}: shelling reported near the border</title>"
            f"<link>{link}</link>"
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


def article_page(feed: int, n: int) -> bytes:
    """A news page of ~20 kB: navigation, ten paragraphs, related stories and a footer."""
    nav = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(40))
    paragraphs = "".join(
        f"<p>Paragraph {p} of story {n} from feed {feed}: officials said artillery struck the "
        f"district overnight, {p} people were wounded and roads to the border crossing at "
        f"kilometre {p * 7} were closed while engineers surveyed the damage to the bridge.</p>"
        for p in range(10)
    )
    related = "".join(
        f"<li><a href='/news/{n - i}'>Related story {n - i}</a></li>" for i in range(10)
    )
    return (
        f"<!doctype html><html lang='en'><head><title>Story {n} - Feed {feed}</title>"
        "<meta name='viewport' content='width=device-width'><style>body{font:16px serif}</style>"
        f"<script>window.ads = {{slot: 'top'}};</script></head><body><header><nav><ul>{nav}"
        f"</ul></nav></header><main><article><h1>Story {n}</h1><p class='byline'>By Staff</p>"
        f"{paragraphs}</article><aside><h2>Related</h2><ul>{related}</ul></aside></main>"
        "<footer><p>Copyright Example News. All rights reserved.</p></footer></body></html>"
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
        pages = f"http://127.0.0.1:{port}" if request.path.startswith("/ftfeed/") else None
        return web.Response(
            body=document(i, v, items, pages),
            headers={"ETag": etag, "Content-Type": "application/rss+xml"},
        )

    async def article(request: web.Request) -> web.Response:
        page = article_page(int(request.match_info["f"]), int(request.match_info["n"]))
        return web.Response(body=page, headers={"Content-Type": "text/html; charset=utf-8"})

    async def set_round(request: web.Request) -> web.Response:
        # ?quiet=1: nothing changes from this round on (every conditional GET is a 304).
        state["round"] = int(request.match_info["r"])
        if request.query.get("quiet") != "1":
            state["changed_until"] = state["round"]
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/feed/{i}", feed)
    app.router.add_get("/ftfeed/{i}", feed)
    app.router.add_get("/article/{f}/{n}", article)
    app.router.add_post("/round/{r}", set_round)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_run(
    base: str, feeds: int, rounds: int, quiet: int, state_dir: Path, full_text: bool = False
) -> list[dict[str, Any]]:
    path = "ftfeed" if full_text else "feed"
    settings = Settings(
        state_dir=state_dir,
        producers={
            "inbox": None,
            "feeds": [
                {"name": f"feed{i}", "url": f"{base}/{path}/{i}", "full_text": full_text}
                for i in range(feeds)
            ],
            # One local host serves every page: no politeness delay, or the bench would wait.
            "article_fetch": {
                "allow_networks": ["127.0.0.0/8"],
                "delay": 0.0,
                "max_queue": 1_000_000,
            },
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
            # The pages of this round's new items, fetched after the polls (they never hold a
            # poll up); their CPU is counted apart from the polls'.
            pages_before = _sample(service, "escmon_fulltext_pages_fetched")
            c1 = cpu()
            if service.pages is not None:
                await service.pages.join(timeout=3600)
            pages_cpu = cpu() - c1
            pages = _sample(service, "escmon_fulltext_pages_fetched") - pages_before
            out.append(
                {
                    "round": r,
                    "quiet": r >= rounds,
                    "wall_s": wall,
                    "cpu_s": used,
                    "ok": sum(ok),
                    "parsed": int(delta.get("ok", 0)),
                    "not_modified": int(delta.get("not_modified", 0)),
                    "pages": int(pages),
                    "pages_cpu_s": pages_cpu,
                }
            )
    queued = service.store.pending_count()
    if service.pages is not None:
        await service.pages.close()
    service._extractor.shutdown()
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


def _sample(service: ProducerService, family: str) -> float:
    return sum(
        s.value
        for metric in service.registry.collect()
        if metric.name == family
        for s in metric.samples
        if s.name.endswith("_total")
    )


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
    parser.add_argument(
        "--full-text", action="store_true", help="compare feeds without and with full_text"
    )
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
        runs: list[list[dict[str, Any]]] = []
        ft_runs: list[list[dict[str, Any]]] = []
        for _ in range(args.runs):
            # Alternated, so both see the same machine load.
            for full_text in [False, True] if args.full_text else [False]:
                with tempfile.TemporaryDirectory() as tmp:
                    run = asyncio.run(
                        one_run(base, args.feeds, args.rounds, args.quiet, Path(tmp), full_text)
                    )
                (ft_runs if full_text else runs).append(run)
    finally:
        server.terminate()
        server.join(10)
    if args.full_text:
        return full_text_summary(args, runs, ft_runs)

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


def full_text_summary(
    args: argparse.Namespace, off: list[list[dict[str, Any]]], on: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    """CPU per poll with and without full text, by kind of round; CPU per fetched page."""
    med = statistics.median

    def per_feed(runs: list[list[dict[str, Any]]], kind: str) -> float:
        rows = [
            r
            for run in runs
            for r in run
            if (kind == "cold" and r["round"] == 0)
            or (kind == "warm" and r["round"] > 0 and not r["quiet"])
            or (kind == "quiet" and r["quiet"])
        ]
        return med(1000 * r["cpu_s"] / args.feeds for r in rows)

    kinds = ["cold", "warm", "quiet"] if args.quiet else ["cold", "warm"]
    table = {
        kind: {
            "off_cpu_ms_per_feed": per_feed(off, kind),
            "on_cpu_ms_per_feed": per_feed(on, kind),
            "ratio": per_feed(on, kind) / per_feed(off, kind),
        }
        for kind in kinds
    }
    paged = [r for run in on for r in run if r["pages"]]
    pages = sum(r["pages"] for r in paged)
    result: dict[str, Any] = {
        "benchmark": "producers-fulltext",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_1m": os.getloadavg()[0],
        },
        "params": vars(args),
        "cpu_per_poll": table,
        "pages_fetched": pages,
        "cpu_ms_per_page": 1000 * sum(r["pages_cpu_s"] for r in paged) / max(pages, 1),
        "runs_off": off,
        "runs_on": on,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "producers-fulltext.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"producers, full text off vs on: {args.feeds} local feeds x {args.items} items")
    for kind, row in table.items():
        print(
            f"  {kind:5s} CPU per feed poll: off {row['off_cpu_ms_per_feed']:.3f} ms, "
            f"on {row['on_cpu_ms_per_feed']:.3f} ms ({row['ratio']:.2f}x)"
        )
    print(f"  pages fetched {pages}, {result['cpu_ms_per_page']:.1f} ms CPU per page (after polls)")
    return result


if __name__ == "__main__":
    main()
