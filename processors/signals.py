"""From a tagged spaCy ``Doc`` to escalation signals: pure reasoning over the cue matches.

The pipeline (``processors.nlp``) leaves one list of cue matches ``(label, start, end)`` in the
Doc. The rules decide, sentence by sentence, which cues are real signals, following the labelling
rules (``../shared/eval/LABELING.md``); each concern has its module, and this one runs them:

- ``reader``: the per-Doc cue index (cues by sentence, token lookups) every rule reads;
- ``context``: negated, hypothetical, historical or idiomatic cues, and the domain vetoes;
- ``strikes``: a strong strike cue ("air strikes", "mortar attack", "shot dead") is a strike
  unless blocked; a weak one ("attack", "struck", "raid") also needs military context in its
  sentence or a strike elsewhere in the text, and no labour, sports, fiction or business context;
- ``casualties``: casualty words without accident, disaster or disease context, their counts read
  next to them and summed over distinct values;
- ``stances``: a pledge is explicit response wording in the future; a threat is threat wording
  plus force with no pledge in the sentence; de-escalation is ceasefire/restraint wording or
  "end" + "violence".

Word lists are data (``patterns/lexicon.json``). ``processors.compiled`` compiles all these
modules with mypyc. Nothing here touches Kafka or models on disk: give it a Doc, get
:class:`Extraction` back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from escmon.models import Signal, Summary
from processors.casualties import casualties, total
from processors.eventfacts import EventDraft, attribute
from processors.nlp import CUES_KEY, PLACES_KEY, SpaceMap
from processors.reader import Found, Reader, lexicon, sentence_bounds
from processors.stances import deescalation, pledges, threats
from processors.strikes import strikes

__all__ = ["EMPTY", "Extraction", "extract", "lexicon", "sentence_bounds"]

PRIMARY = frozenset(
    "STRIKE STRIKE_WEAK KILL HURT DEATH PLEDGE RESP PRICE THREAT THREAT_PHRASE DEESC END".split()
)


@dataclass
class Extraction:
    """What one text holds: evidence signals and their summary."""

    signals: list[Signal] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    #: the main event told from the background (``processors.eventfacts``); None: no signal
    event: EventDraft | None = None


EMPTY = Extraction()


def _may_signal(labels: set[str], doc: Doc) -> bool:
    """Cheap test on the cue labels alone: could any rule fire? Most calm texts stop here."""
    return bool(
        labels & {"STRIKE", "KILL", "HURT", "PLEDGE", "THREAT_PHRASE", "DEESC", "TOLERATE"}
        or ("STRIKE_WEAK" in labels and ("MIL" in labels or PLACES_KEY in doc.user_data))
        or ("DEATH" in labels and labels & {"MIL", "VIOLENCE"})
        or ("FUTURE" in labels and labels & {"RESP", "PRICE"})
        or ("THREAT" in labels and "FORCE" in labels)
        or ("FORCE_VERB" in labels and "FUTURE" in labels)
        or ("END" in labels and "CONFLICT" in labels)
        or ("DESIRE" in labels and "CONFLICT" in labels)
    )


def extract(
    doc: Doc,
    source: str | None = None,
    spaces: SpaceMap | None = None,
    parsed: bool = False,
    published_year: int | None = None,
) -> Extraction:
    """Return the signals and summary of ``doc`` (a Doc built by ``processors.nlp``).

    ``source`` and ``spaces`` give the original text when the Doc was built from a squeezed one
    (``processors.nlp.squeeze_spaces``); evidence offsets and sentences then refer to ``source``.
    ``parsed``: the pipeline sets sentence boundaries (a trained parser); use them.
    ``published_year``: the article's, if known; it dates background ("in 2015") for the event.
    """
    cues = doc.user_data.get(CUES_KEY) or []
    if not _may_signal({label for label, _, _ in cues}, doc):
        return EMPTY
    r = Reader(doc, cues, parsed)
    found: list[Found] = []
    strike_sents = strikes(r, found)
    counts = casualties(r, found, strike_sents)
    pledge_sents = pledges(r, found)
    threats(r, found, pledge_sents)
    deescalation(r, found)
    event = attribute(
        r, found, counts, published_year
    )  # before the Signals are built: it adds to their attrs
    found.sort(key=lambda f: (f[2], f[0]))
    text = source if source is not None else doc.text
    to_source = spaces.to_source if spaces is not None else _same
    signals = [_signal(doc, r, text, to_source, *f) for f in found]
    types = {f[0] for f in found}
    return Extraction(
        signals=signals,
        summary=Summary(
            strike="strike" in types,
            casualties="casualties" in types,
            killed=total(counts, "killed"),
            wounded=total(counts, "wounded"),
            retaliation_pledge="retaliation_pledge" in types,
            threat="threat" in types,
            deescalation="deescalation" in types,
        ),
        event=event,
    )


def _same(pos: int) -> int:
    return pos


def _signal(
    doc: Doc,
    r: Reader,
    text: str,
    to_source: Callable[[int], int],
    kind: str,
    k: int,
    start: int,
    end: int,
    attrs: dict[str, Any],
) -> Signal:
    sent = r.sents[k]
    a, b = r.chars(start, end)
    char_start, char_end = to_source(a), to_source(b)
    if sent.text is None:
        a, b = r.chars(sent.start, sent.end)
        sent.text = text[to_source(a) : to_source(b)].strip()
    sentence = sent.text
    return Signal(
        type=kind,
        text=text[char_start:char_end],
        start=char_start,
        end=char_end,
        sentence=sentence,
        attrs=attrs,
    )
