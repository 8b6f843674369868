"""``escmon feed``: Article JSON lines on stdout, one line per failing source on stderr."""

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escmon.cli import main
from escmon.models import Article
from producers.feedcommand import feed_command
from tests.conftest import free_port

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
SUFFIXES = [".xml", ".rss", ".txt", ".md", ".html", ".json", ".jsonl", ".bin", ""]


def run(sources: list[str]) -> tuple[int, list[Article], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    code = feed_command(sources, out, err, timeout=2.0, now=lambda: NOW)
    articles = [Article.from_bytes(line) for line in out.getvalue().splitlines()]
    return code, articles, err.getvalue().splitlines()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/feed.xml":
            body = (FEEDS / "wire-rss.xml").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(500, "Internal Server Error")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_one_failing_source_does_not_stop_the_others(http_base, tmp_path):
    missing = str(tmp_path / "missing.xml")
    closed = f"http://127.0.0.1:{free_port()}/rss"
    code, articles, errors = run(
        [missing, f"{http_base}/feed.xml", f"{http_base}/broken", closed,
         str(FEEDS / "nolang-rss.xml")]
    )  # fmt: skip
    assert code == 1
    assert len(articles) == 4 + 2, "wire feed over HTTP and the local file both printed"
    failures = [e for e in errors if "entry skipped" not in e]
    assert failures == [
        f"escmon feed: {missing}: no such file",
        f"escmon feed: {http_base}/broken: http_500: Internal Server Error",
        f"escmon feed: {closed}: connect: " + failures[2].split(": connect: ", 1)[1],
    ]
    assert any("entry skipped: empty_entry" in e for e in errors)


def test_cli_prints_json_lines_and_exit_code(capsys):
    code = main(["feed", str(FEEDS / "ministry-atom.xml")])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["language"] for r in rows] == ["fr", "fr"]
    assert all(r["schema"] == "article/1" for r in rows)


def test_cli_bad_source_is_one_line_not_a_traceback(capsys, tmp_path):
    bomb = str(FEEDS / "quadratic-blowup.xml")
    code = main(["feed", bomb, str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"escmon feed: {bomb}: xml_entity_bomb: entity 'a' expands to 2000 characters",
        f"escmon feed: {tmp_path}: not a file",
    ]


def _check(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    code, articles, errors = run([str(path)])
    assert code in (0, 1)
    assert "Traceback" not in "\n".join(errors)
    for line in errors:
        assert line.startswith(f"escmon feed: {path}: "), line
        assert "internal error" not in line, line
        assert "\n" not in line
    if code == 1:
        assert errors, "a failure always says why"
    for article in articles:
        assert article.title or article.body


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=4096))
def test_no_bytes_crash_escmon_feed_on_a_file(tmp_path, suffix, data):
    _check(tmp_path, suffix, data)


FEED_BITS = st.sampled_from(
    [
        b"<?xml version='1.0' encoding='utf-8'?>", b"<rss version='2.0'>", b"<channel>",
        b"<item>", b"</item>", b"<title>", b"</title>", b"<link>http://x.example/a</link>",
        b"<description><![CDATA[<p>hi</p>]]></description>", b"<pubDate>Tue, 24 Nov 2026",
        b"&amp;", b"&#8220;", b"&bogus;", b"<!DOCTYPE rss [<!ENTITY e 'x'>]>", b"&e;",
        b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"</entry>", b"\xff\xfe",
        b"\x00", b"\xe9", b"</channel></rss>", b"<content type='html'>&lt;b&gt;x</content>",
        b'{"title": "t", "body": "b"}', b"\n", b"[", b"]", b"# Title\n",
    ]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(SUFFIXES),
    parts=st.lists(st.one_of(FEED_BITS, st.binary(max_size=12)), max_size=40),
)
def test_no_feed_like_bytes_crash_escmon_feed(tmp_path, suffix, parts):
    _check(tmp_path, suffix, b"".join(parts))
