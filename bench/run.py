"""Run the benchmarks (``make bench``): each ``bench/<name>.py``'s ``main()``, then a summary table.

Every benchmark runs in a fresh Python process, one after the other: each starts its own broker
and processes, and a peak-memory figure must not include what an earlier benchmark allocated.
Results land in ``bench/results/<name>.json`` (written by the benchmark itself).

    python bench/run.py                  # every bench/<name>.py
    python bench/run.py pipeline latency # only these
    python bench/run.py latency -- --runs 1 --seconds 10   # arguments after -- go to each main()
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
NOT_BENCHMARKS = {"run", "common", "__init__"}

# Calls main() by module name with the repository root first on sys.path, so a benchmark named
# like a package (bench/producers.py) never shadows the package it measures.
CALL = (
    "import importlib, json, sys; sys.path.insert(0, sys.argv[1]); "
    "module = importlib.import_module('bench.' + sys.argv[2]); "
    "module.main(json.loads(sys.argv[3]))"
)


def discover() -> list[str]:
    """The benchmark names: every bench/<name>.py except the runner and helpers."""
    return sorted(
        p.stem
        for p in BENCH.glob("*.py")
        if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_")
    )


def run_one(name: str, argv: list[str], timeout: float) -> dict[str, Any]:
    """Run one benchmark's main() in its own process; what happened, for the table."""
    result_file = RESULTS / f"{name}.json"
    before = result_file.stat().st_mtime if result_file.exists() else None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    started = time.monotonic()
    print(f"== bench {name} {' '.join(argv)}", flush=True)
    try:
        done = subprocess.run(
            [sys.executable, "-c", CALL, str(REPO), name, json.dumps(argv)],
            cwd=REPO,
            env=env,
            timeout=timeout,
            check=False,
        )
        code: int | str = done.returncode
    except subprocess.TimeoutExpired:
        code = f"timeout after {timeout:.0f}s"
    seconds = time.monotonic() - started
    fresh = result_file.exists() and result_file.stat().st_mtime != before
    data: dict[str, Any] = {}
    if fresh:
        try:
            data = json.loads(result_file.read_text())
        except json.JSONDecodeError:
            fresh = False
    return {
        "name": name,
        "ok": code == 0 and fresh,
        "exit": code,
        "seconds": round(seconds, 1),
        "figures": headline(data),
    }


def headline(data: dict[str, Any], limit: int = 16) -> dict[str, Any]:
    """What the table shows: the result's ``summary`` if it has one, else its top-level scalars."""
    summary = data.get("summary")
    source: dict[str, Any] = summary if isinstance(summary, dict) else data
    scalars = {
        k: v
        for k, v in source.items()
        if isinstance(v, int | float | str | bool) and k not in {"name", "method"}
    }
    return dict(list(scalars.items())[:limit])


def table(rows: list[dict[str, Any]]) -> str:
    """The summary table: one block per benchmark, one figure per line."""
    lines = [f"{'benchmark':12} {'status':8} {'seconds':>8}  figure = value", "-" * 72]
    for row in rows:
        status = "ok" if row["ok"] else f"FAILED({row['exit']})"
        figures = list(row["figures"].items()) or [("(no result)", "")]
        for i, (key, value) in enumerate(figures):
            head = f"{row['name']:12} {status:8} {row['seconds']:8.1f}" if i == 0 else " " * 30
            lines.append(f"{head}  {key} = {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (default: all) benchmarks, print the table; exit 1 if one failed."""
    args_in = sys.argv[1:] if argv is None else argv
    passed: list[str] = []
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, passed = args_in[:cut], args_in[cut + 1 :]
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per benchmark")
    args = parser.parse_args(args_in)
    available = discover()
    names = args.names or available
    unknown = [n for n in names if n not in available]
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(available)})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = [run_one(name, passed, args.timeout) for name in names]
    print()
    print(table(rows))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
