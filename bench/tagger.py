"""Benchmark: tagging vs bare ``spacy.blank("en")`` tokenisation of the same texts, in one run.

Two corpora: news-length articles (the seed article, ~560 tokens, repeated) and short items (the
seed, the repo's own labelled cases and, when ``../shared/eval`` exists, the dev-set texts; 1-3
sentences each). For each: articles/s and tokens/s of bare tokenisation, of ``Tagger.tag_many``
and of the whole ``escmon tag --jsonl`` command path (JSON lines read and written, the pipeline
already loaded), medians of interleaved runs and their ratios (bar: >= 0.60); peak memory of the
tagging run (tracemalloc peak of Python allocations, and ru_maxrss of the process); and the bare
tokenizer's speed on the seed article in three cache states (see ``_tokenizer_cache``).

    python bench/tagger.py [--articles 3000] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from escmon.models import Article, utcnow  # noqa: E402
from processors.evaluation import DEV_SET, load_items  # noqa: E402
from processors.tagcommand import tag_command  # noqa: E402
from processors.tagger import Tagger  # noqa: E402

SEED = ROOT / "seeds" / "us-strikes-iran-linked-forces.txt"
CASES = ROOT / "tests" / "unit" / "processors" / "cases"
RESULTS = ROOT / "bench" / "results" / "tagger.json"


def corpus(n: int) -> tuple[list[str], list[str]]:
    """Texts repeated to ``n`` articles, and the names of their sources."""
    texts, sources = [], []
    if SEED.exists():
        texts.append(SEED.read_text(encoding="utf-8"))
        sources.append(str(SEED.relative_to(ROOT)))
    for path in sorted(CASES.glob("*.jsonl")):
        texts += [item["text"] for item in load_items(path)]
        sources.append(str(path.relative_to(ROOT)))
    if DEV_SET.exists():
        texts += [item["text"] for item in load_items(DEV_SET)]
        sources.append(str(DEV_SET))
    return [texts[i % len(texts)] for i in range(n)], sources


def _compare(
    tagger: Tagger, bare: Any, texts: list[str], runs: int, batch_size: int
) -> dict[str, Any]:
    """Median throughput of bare tokenisation and of tagging the same texts, interleaved."""
    now = utcnow()
    articles = [
        Article(id=f"a{i}", source="bench", body=t, fetched=now) for i, t in enumerate(texts)
    ]
    tokens = sum(len(d) for d in bare.pipe(texts, batch_size=batch_size))
    for _ in tagger.tag_many(articles[:200]):  # warm caches (pattern files, vocab)
        pass

    def run_bare() -> float:
        started = time.perf_counter()
        for _ in bare.pipe(texts, batch_size=batch_size):
            pass
        return time.perf_counter() - started

    def run_tagger() -> float:
        started = time.perf_counter()
        for _ in tagger.tag_many(articles):
            pass
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="escmon-bench-") as tmp:
        lines = Path(tmp) / "articles.jsonl"
        lines.write_text(
            "".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
            encoding="utf-8",
        )

        def run_command() -> float:
            # What `escmon tag --jsonl FILE` does after loading the pipeline: read the lines,
            # tag, write one TaggedArticle JSON line each.
            started = time.perf_counter()
            tag_command(str(lines), True, io.StringIO(), sys.stderr, tagger=tagger)
            return time.perf_counter() - started

        bare_times, tag_times, cmd_times, ratios, cmd_ratios = [], [], [], [], []
        for _ in range(runs):  # interleaved so all see the same machine load
            b, t, c = run_bare(), run_tagger(), run_command()
            bare_times.append(b)
            tag_times.append(t)
            cmd_times.append(c)
            ratios.append(b / t)
            cmd_ratios.append(b / c)
    bare_s, tag_s = statistics.median(bare_times), statistics.median(tag_times)
    cmd_s = statistics.median(cmd_times)
    return {
        "articles": len(texts),
        "tokens": tokens,
        "bare": {
            "seconds": bare_s,
            "articles_per_s": len(texts) / bare_s,
            "tokens_per_s": tokens / bare_s,
        },
        "tagger": {
            "seconds": tag_s,
            "articles_per_s": len(texts) / tag_s,
            "tokens_per_s": tokens / tag_s,
        },
        "tag_jsonl_command": {
            "seconds": cmd_s,
            "articles_per_s": len(texts) / cmd_s,
            "tokens_per_s": tokens / cmd_s,
        },
        "ratio_median": statistics.median(ratios),
        "ratios": ratios,
        "command_ratio_median": statistics.median(cmd_ratios),
    }


def _tokenizer_cache(seed: str, warm_texts: list[str], n: int = 100) -> dict[str, float]:
    """Bare tokenisation of the seed article (ms per article) in three tokenizer-cache states.

    spaCy caches the tokens of each whitespace-separated chunk, but stops caching for the rest of
    a Doc once a special case (a line break, "U.S.", "can't") has been seen in it (spaCy issue
    #13950), and keeps at most 10,000 chunks. So the same article tokenises at very different
    speeds depending on what the tokenizer saw before; both sides of the ratio above are warmed
    with the same texts for that reason.
    """

    def per_article(nlp: Any) -> float:
        started = time.perf_counter()
        for _ in nlp.pipe([seed] * n):
            pass
        return (time.perf_counter() - started) / n * 1000

    cold = spacy.blank("en")
    warm = spacy.blank("en")
    for _ in warm.pipe(warm_texts):
        pass
    paragraphs = spacy.blank("en")
    for _ in paragraphs.pipe(p for p in seed.split("\n") if p.strip()):
        pass
    return {
        "cold_ms": round(per_article(cold), 3),
        "after_corpus_ms": round(per_article(warm), 3),
        "after_its_paragraphs_ms": round(per_article(paragraphs), 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print a summary, write ``bench/results/tagger.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    texts, sources = corpus(args.articles)
    tagger = Tagger(batch_size=args.batch_size)
    bare = spacy.blank("en")
    mixed = _compare(tagger, bare, texts, args.runs, args.batch_size)
    # The same comparison on news-length texts only (the seed article, ~560 tokens): per-article
    # costs weigh less there than on the 1-3 sentence labelled items.
    long_texts = [SEED.read_text(encoding="utf-8")] * max(1, args.articles // 10)
    long = _compare(tagger, bare, long_texts, args.runs, args.batch_size)
    now = utcnow()
    articles = [
        Article(id=f"a{i}", source="bench", body=t, fetched=now) for i, t in enumerate(texts)
    ]
    tracemalloc.start()
    for _ in tagger.tag_many(articles):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cache = _tokenizer_cache(SEED.read_text(encoding="utf-8"), texts)
    result = {
        "sources": sources,
        "runs": args.runs,
        "batch_size": args.batch_size,
        "pipeline": tagger.nlp.pipe_names,
        "tagger": tagger.name,
        "mixed": mixed,
        "news_length": long,
        "ratio_median": long["ratio_median"],
        "ratio_median_short_items": mixed["ratio_median"],
        "bar": 0.60,
        "bar_met_news_length": long["ratio_median"] >= 0.60,
        "bar_met_short_items": mixed["ratio_median"] >= 0.60,
        "bare_tokenizer_cache_seed": cache,
        "tracemalloc_peak_mb": peak / 2**20,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name in ("mixed", "news_length"):
        r = result[name]
        print(
            f"[{name}] {r['articles']} articles, {r['tokens']} tokens, median of {args.runs} runs\n"
            f"  bare tokenisation: {r['bare']['articles_per_s']:.0f} articles/s, "
            f"{r['bare']['tokens_per_s']:.0f} tokens/s\n"
            f"  tagger:            {r['tagger']['articles_per_s']:.0f} articles/s, "
            f"{r['tagger']['tokens_per_s']:.0f} tokens/s\n"
            f"  escmon tag --jsonl: {r['tag_jsonl_command']['articles_per_s']:.0f} articles/s "
            "(JSON lines in and out)\n"
            f"  ratio tagger/bare: {r['ratio_median']:.2f}, "
            f"tag --jsonl/bare: {r['command_ratio_median']:.2f} (bar {result['bar']:.2f})"
        )
    print(
        "bare tokenisation of the seed article by tokenizer-cache state: "
        f"cold {cache['cold_ms']:.2f} ms, after the corpus {cache['after_corpus_ms']:.2f} ms, "
        f"after its own paragraphs {cache['after_its_paragraphs_ms']:.2f} ms"
    )
    print(
        f"memory: tracemalloc peak {result['tracemalloc_peak_mb']:.1f} MB while tagging "
        f"{len(texts)} articles, process ru_maxrss {result['ru_maxrss_mb']:.0f} MB"
    )
    return result


if __name__ == "__main__":
    main()
