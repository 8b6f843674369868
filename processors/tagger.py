"""The escalation tagger: the spaCy pipeline of ``processors.nlp`` plus the pure rules around it.

``Tagger.tag_many`` streams articles through ``nlp.pipe`` in batches and keeps their order; the
rules (``signals``, ``places``, ``scoring``) only read the finished Docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy

from escmon.models import Article, EventFacts, Mention, TaggedArticle, Toll, utcnow
from processors.eventdate import resolve
from processors.eventfacts import EventDraft
from processors.nlp import SpaceMap, build_pipeline, squeeze_spaces
from processors.places import mentions
from processors.scoring import score
from processors.signals import Extraction, extract

VERSION = "escmon-rules/1"


class Tagger:
    """Tags articles with escalation signals; ``tag_many`` batches through ``nlp.pipe``.

    ``model`` names an installed trained spaCy pipeline (``processors.model``); ``None`` uses
    ``spacy.blank("en")`` with our sentencizer, gazetteer and cue matcher.
    """

    def __init__(self, model: str | None = None, batch_size: int = 64) -> None:
        self.nlp = build_pipeline(model)
        self.batch_size = batch_size
        self.ner = self.nlp.has_pipe("ner")
        self.parsed = any(self.nlp.has_pipe(p) for p in ("parser", "senter", "sentencizer"))
        base = model or "blank:en"
        self.name = f"{VERSION}+{base}/spacy-{spacy.__version__}"

    def tag(self, article: Article) -> TaggedArticle:
        """Tag one article."""
        return next(self.tag_many([article]))

    def tag_text(self, text: str, id: str = "text") -> TaggedArticle:  # noqa: A002
        """Tag a plain text."""
        return self.tag(Article(id=id, source="text", body=text, fetched=utcnow()))

    def tag_many(self, articles: Iterable[Article]) -> Iterator[TaggedArticle]:
        """Tag articles lazily and in order, ``batch_size`` texts per ``nlp.pipe`` batch."""
        pairs = self.nlp.pipe(
            ((squeezed, (article, spaces)) for article, (squeezed, spaces) in _squeezed(articles)),
            batch_size=self.batch_size,
            as_tuples=True,
        )
        for doc, (article, spaces) in pairs:
            year = article.published.year if article.published else None
            found = extract(doc, article.text, spaces, self.parsed, year)
            places, actors, theater = mentions(doc, self.ner)
            yield TaggedArticle(
                id=article.id,
                source=article.source,
                title=article.title,
                url=article.url,
                published=article.published,
                fetched=article.fetched,
                signals=found.signals,
                summary=found.summary,
                actors=actors,
                places=places,
                # Places named in the text decide the theater; the feed's region hint only
                # fills in when none is named.
                theater=theater or article.region,
                tags=article.tags,
                score=score(found.signals, found.summary),
                event=event_facts(found, article),
                lead=lead_of(article.body),
                tagger=self.name,
            )


# A sentence ends at . ! or ? (and a closing quote) before a capital, a digit or a quote; an
# initial ("U.S. forces") is followed by a lower-case word and does not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z0-9\"“‘])")
LEAD_SENTENCES = 2
LEAD_CHARS = 600


def lead_of(body: str) -> str:
    """The body's first sentences: a news lead says who did what where, which is what two
    reports of one event share even when neither has a casualty or strike sentence there."""
    text = " ".join(body.split())
    parts = _SENTENCE_END.split(text, maxsplit=LEAD_SENTENCES)
    return " ".join(parts[:LEAD_SENTENCES])[:LEAD_CHARS]


def _squeezed(articles: Iterable[Article]) -> Iterator[tuple[Article, tuple[str, SpaceMap | None]]]:
    for article in articles:
        yield article, squeeze_spaces(article.text)


def event_facts(found: Extraction, article: Article) -> EventFacts | None:
    """The main event's facts, with its date resolved against the article's publication date.

    None when the text holds no signal: nothing happened that rules or linking could use.
    """
    draft: EventDraft | None = found.event
    if draft is None:
        return None
    published = article.published.date() if article.published else None
    date = None
    for expression in draft.times:
        date = resolve(expression, published)
        if date is not None:
            break
    # model_construct: the values are ours and typed (mypy checks them), and validating four
    # small models per article cost a tenth of the tagging time of a short text
    return EventFacts.model_construct(
        kind=draft.kind,
        reaction=draft.reaction,
        countries=list(draft.countries),
        places=[
            Mention.model_construct(text=p.text, name=p.name, kind=p.kind, country=p.country)
            for p in draft.places
        ],
        killed=_toll(draft.killed.low, draft.killed.best, draft.killed.high),
        wounded=_toll(draft.wounded.low, draft.wounded.best, draft.wounded.high),
        date=date,
    )


@lru_cache(maxsize=4096)
def _toll(low: int | None, best: int | None, high: int | None) -> Toll:
    """One frozen Toll per figure, shared: most are empty or small, and building one costs."""
    return Toll.model_construct(low=low, best=best, high=high)
