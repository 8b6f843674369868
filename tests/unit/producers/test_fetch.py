"""The HTTP fetcher against a local aiohttp server: 304s, gzip, redirects, caps, timeouts."""

import asyncio
import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from producers.fetch import fetch_file, fetch_http, retry_after_seconds
from tests.conftest import free_port

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


async def feed(request: web.Request) -> web.Response:
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304)
    return web.Response(body=BODY, headers={"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026"})


async def gzipped(request: web.Request) -> web.Response:
    assert "gzip" in request.headers.get("Accept-Encoding", "")
    return web.Response(body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})


async def bomb(_: web.Request) -> web.Response:
    # 10 MB of zeros in about 10 kB on the wire: the cap must hold on the decompressed size.
    return web.Response(
        body=gzip.compress(b"\0" * 10_000_000), headers={"Content-Encoding": "gzip"}
    )


async def slow(_: web.Request) -> web.Response:
    await asyncio.sleep(1.5)
    return web.Response(body=BODY)


async def moved(_: web.Request) -> web.Response:
    return web.Response(status=301, headers={"Location": "/feed"})


async def loop_(_: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": "/loop"})


async def gone(_: web.Request) -> web.Response:
    return web.Response(status=410, reason="Gone")


async def busy(_: web.Request) -> web.Response:
    return web.Response(status=503, headers={"Retry-After": "120"})


@pytest.fixture
async def base() -> AsyncIterator[str]:
    app = web.Application()
    for path, handler in [
        ("/feed", feed), ("/gz", gzipped), ("/bomb", bomb), ("/slow", slow),
        ("/moved", moved), ("/loop", loop_), ("/gone", gone), ("/busy", busy),
    ]:  # fmt: skip
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def get(url: str, etag: str | None = None, timeout: float = 2.0, max_bytes: int = 10**6):
    async with aiohttp.ClientSession() as session:
        return await fetch_http(
            session, url, etag=etag, modified=None, timeout=timeout, max_bytes=max_bytes
        )


async def test_conditional_get_gives_not_modified(base):
    first = await get(f"{base}/feed")
    assert (first.status, first.data, first.etag) == ("ok", BODY, '"v1"')
    second = await get(f"{base}/feed", etag=first.etag)
    assert (second.status, second.data, second.http_status) == ("not_modified", b"", 304)


async def test_gzip_is_decompressed_and_redirects_followed(base):
    assert (await get(f"{base}/gz")).data == BODY
    moved = await get(f"{base}/moved")
    assert moved.status == "ok" and moved.url == f"{base}/feed"
    assert moved.moved_to == f"{base}/feed", "a 301 is reported so the config can be fixed"
    assert (await get(f"{base}/feed")).moved_to is None


async def test_retry_after_is_kept_with_the_error(base):
    busy = await get(f"{base}/busy")
    assert busy.reason.startswith("http_503") and busy.retry_after == 120.0


def test_retry_after_header_forms():
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert retry_after_seconds("30", now) == 30.0
    assert retry_after_seconds("Wed, 25 Nov 2026 03:02:00 GMT", now) == 120.0
    assert retry_after_seconds("Wed, 25 Nov 2026 02:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/bomb", "too_large"),
        ("/slow", "timeout"),
        ("/loop", "too_many_redirects"),
        ("/gone", "http_410"),
    ],
)
async def test_failures_are_reasons_not_exceptions(base, path, reason):
    result = await get(f"{base}{path}", timeout=0.5)
    assert result.status == "error"
    assert result.reason.split(":")[0] == reason


async def test_connection_refused_and_dns_failures():
    refused = await get(f"http://127.0.0.1:{free_port()}/x")
    assert refused.reason.split(":")[0] == "connect"
    unknown = await get("http://no-such-host.invalid/feed", timeout=5)
    assert unknown.reason.split(":")[0] in ("dns", "timeout")


def test_local_files_use_mtime_as_validator(tmp_path):
    path = tmp_path / "f.xml"
    path.write_bytes(BODY)
    first = fetch_file(str(path), modified=None, max_bytes=1000)
    assert first.status == "ok" and first.data == BODY
    again = fetch_file(str(path), modified=first.modified, max_bytes=1000)
    assert again.status == "not_modified"
    assert fetch_file(str(path), modified=None, max_bytes=10).reason.startswith("too_large")
    assert fetch_file(str(tmp_path / "no"), modified=None, max_bytes=10).status == "error"
