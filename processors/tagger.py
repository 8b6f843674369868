"""A first, simple escalation tagger: spaCy sentences plus keyword rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import spacy

from escmon.models import (
    Article,
    Mention,
    Score,
    ScorePart,
    Signal,
    Summary,
    TaggedArticle,
    utcnow,
)

NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
}
NUM = r"(\d+|" + "|".join(NUMBERS) + r")"
RULES: dict[str, list[str]] = {
    "strike": [
        r"\b(air|missile|drone|retaliatory)?\s*strikes?\b(?! a deal)",
        r"\bbomb(ing|ed|s)\b",
        r"\bshell(ing|ed)\b",
        r"\bdrone attack\b",
    ],
    "retaliation_pledge": [
        r"\bour response began\b",
        r"\btimes and places of our choosing\b",
        r"\bvow(ed|s)? (revenge|to retaliate)\b",
        r"\bwill respond\b",
    ],
    "threat": [r"\bthreaten(ed|s)? to (attack|strike|invade)\b"],
    "deescalation": [
        r"\bnot seeking war\b",
        r"\bdoes not seek conflict\b",
        r"\bceasefire\b",
        r"\bpeace talks\b",
        r"\bshowed restraint\b",
    ],
}
KILLED = [
    re.compile(rf"\bkilled {NUM} (\w+ )?(troops|people|soldiers|civilians)", re.I),
    re.compile(rf"\b{NUM} (\w+ )?(people|troops|soldiers|civilians) (were|was) killed", re.I),
]
WEIGHTS = {
    "strike": 5.0,
    "casualties": 4.0,
    "retaliation_pledge": 4.0,
    "threat": 2.0,
    "deescalation": -2.0,
}
PLACES = {
    "Iraq": "Iraq",
    "Syria": "Syria",
    "Iran": "Iran",
    "Tehran": "Iran",
    "Yemen": "Yemen",
    "Jordan": "Jordan",
    "Israel": "Israel",
    "United States": "United States",
}


def _num(token: str) -> int:
    return int(token) if token.isdigit() else NUMBERS[token.lower()]


class Tagger:
    """Tags articles with escalation signals; ``tag_many`` batches through ``nlp.pipe``."""

    def __init__(self, model: str | None = None, batch_size: int = 64) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.batch_size = batch_size
        self.name = "escmon-simple/0+blank:en"
        self.rules = {t: [re.compile(p, re.I) for p in ps] for t, ps in RULES.items()}

    def tag(self, article: Article) -> TaggedArticle:
        """Tag one article."""
        return next(self.tag_many([article]))

    def tag_text(self, text: str, id: str = "text") -> TaggedArticle:  # noqa: A002
        """Tag a plain text."""
        return self.tag(Article(id=id, source="text", body=text, fetched=utcnow()))

    def tag_many(self, articles: Iterable[Article]) -> Iterator[TaggedArticle]:
        """Tag articles in order."""
        items = list(articles)
        for article, doc in zip(
            items, self.nlp.pipe((a.text for a in items), batch_size=self.batch_size), strict=True
        ):
            signals: list[Signal] = []
            killed: list[int] = []
            for sent in doc.sents:
                s = sent.text
                for kind, patterns in self.rules.items():
                    for pat in patterns:
                        for m in pat.finditer(s):
                            start = sent.start_char + m.start()
                            signals.append(
                                Signal(
                                    type=kind,
                                    text=m.group(0),
                                    start=start,
                                    end=start + len(m.group(0)),
                                    sentence=s,
                                )
                            )
                for pat in KILLED:
                    for m in pat.finditer(s):
                        count = _num(m.group(1))
                        killed.append(count)
                        start = sent.start_char + m.start()
                        signals.append(
                            Signal(
                                type="casualties",
                                text=m.group(0),
                                start=start,
                                end=start + len(m.group(0)),
                                sentence=s,
                                attrs={"status": "killed", "count": count},
                            )
                        )
            types = {s.type for s in signals}
            places = [
                Mention(text=k, name=v, kind="country", country=v)
                for k, v in PLACES.items()
                if k in article.text
            ]
            counts = {t: sum(1 for s in signals if s.type == t) for t in types}
            parts = [
                ScorePart(type=t, weight=WEIGHTS[t], count=1, points=WEIGHTS[t])
                for t in sorted(counts)
            ]
            yield TaggedArticle(
                id=article.id,
                source=article.source,
                title=article.title,
                url=article.url,
                published=article.published,
                fetched=article.fetched,
                signals=signals,
                summary=Summary(
                    strike="strike" in types,
                    casualties="casualties" in types,
                    killed=sum(killed) if killed else None,
                    retaliation_pledge="retaliation_pledge" in types,
                    threat="threat" in types,
                    deescalation="deescalation" in types,
                ),
                places=places,
                theater="Middle East" if places else None,
                score=Score(total=sum(p.points for p in parts), parts=parts),
                tagger=self.name,
            )
