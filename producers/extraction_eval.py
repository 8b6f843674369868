"""Score the main-text extraction on saved news pages: ``python -m producers.extraction_eval``.

The folder (default ``../shared/corpora/html-news``) holds pages and ``evaldata.json``, which maps
each page's URL to its file, the segments a right extraction contains (``with``) and those it must
not contain (``without``: navigation, bylines, related stories). A page is fully right when every
``with`` segment is found and no ``without`` segment is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from producers.extraction import extract_main

DEFAULT_FOLDER = Path("../shared/corpora/html-news")


@dataclass(frozen=True)
class PageScore:
    """One page: the segments missed and leaked, and the time taken."""

    file: str
    url: str
    missing: list[str]
    leaked: list[str]
    seconds: float  # CPU time of the extraction
    method: str = ""

    @property
    def right(self) -> bool:
        """Every ``with`` segment present and no ``without`` segment."""
        return not self.missing and not self.leaked


@dataclass
class Score:
    """The whole folder's score."""

    pages: list[PageScore] = field(default_factory=list)
    boilerplate: int = 0  # ``without`` segments in all

    @property
    def right(self) -> int:
        """Pages fully right."""
        return sum(p.right for p in self.pages)

    @property
    def leaked(self) -> int:
        """``without`` segments found in the extracted texts."""
        return sum(len(p.leaked) for p in self.pages)

    @property
    def ms_per_page(self) -> float:
        """Mean extraction CPU time in milliseconds."""
        return 1000 * sum(p.seconds for p in self.pages) / max(1, len(self.pages))


def load_cases(folder: Path) -> list[tuple[str, dict[str, object]]]:
    """The (url, case) pairs of ``evaldata.json``."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    return list(data.items())


def ours(page: bytes, url: str) -> tuple[str, str]:
    """The producer's extraction: text and the method that gave it."""
    found = extract_main(page, url=url)
    return found.text, found.method


def plain_trafilatura(page: bytes, url: str) -> tuple[str, str]:
    """trafilatura.extract with its default options (the baseline)."""
    import trafilatura

    return trafilatura.extract(page, url=url) or "", "plain"


def score(folder: Path, extract: Callable[[bytes, str], tuple[str, str]] = ours) -> Score:
    """Extract every page of ``folder`` and score it."""
    result = Score()
    for url, case in load_cases(folder):
        page = (folder / str(case["file"])).read_bytes()
        # CPU time, not wall time: the figure must not depend on what else the machine runs.
        started = time.process_time()
        text, method = extract(page, url)
        seconds = time.process_time() - started
        with_ = [str(s) for s in case.get("with", [])]  # type: ignore[attr-defined]
        without = [str(s) for s in case.get("without", [])]  # type: ignore[attr-defined]
        result.boilerplate += len(without)
        result.pages.append(
            PageScore(
                file=str(case["file"]),
                url=url,
                missing=[s for s in with_ if s not in text],
                leaked=[s for s in without if s in text],
                seconds=seconds,
                method=method,
            )
        )
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the score; exit 1 when the folder is missing."""
    parser = argparse.ArgumentParser(
        prog="python -m producers.extraction_eval", description=__doc__
    )
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--plain", action="store_true", help="score trafilatura.extract with default options"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args(argv)
    if not (args.folder / "evaldata.json").is_file():
        print(f"no evaldata.json in {args.folder}", file=sys.stderr)
        return 1
    extract_main("<html><body><p>warm up</p></body></html>")  # imports outside the timing
    result = score(args.folder, plain_trafilatura if args.plain else ours)
    if args.json:
        print(
            json.dumps(
                {
                    "pages": len(result.pages),
                    "right": result.right,
                    "boilerplate": result.boilerplate,
                    "leaked": result.leaked,
                    "ms_per_page": round(result.ms_per_page, 1),
                    "wrong": [p.file for p in result.pages if not p.right],
                }
            )
        )
        return 0
    for p in result.pages:
        if not p.right:
            print(f"{p.file} [{p.method}]: missing {p.missing} leaked {p.leaked}")
    print(
        f"fully right {result.right}/{len(result.pages)} pages, "
        f"boilerplate leaked {result.leaked}/{result.boilerplate} segments, "
        f"{result.ms_per_page:.1f} ms CPU per page"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
