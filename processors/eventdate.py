"""The event's date from the time words of its sentences and the report's publication date.

News dates events relative to publication: "on Sunday" in a report published on Tuesday 2 June is
Sunday 31 May; "yesterday" is the day before; "June 5" is 5 June of the publication year (of the
year before when that would lie after publication). Without a publication date only nothing can
be said: the tagger never guesses from the time it runs.
"""

from __future__ import annotations

import datetime as dt

from processors.eventfacts import WEEKDAYS, month_number


def resolve(expression: str, published: dt.date | None) -> dt.date | None:
    """The date ``expression`` ('Sunday', 'yesterday', 'Oct. 17', '5 June') names, or None."""
    if published is None:
        return None
    tokens = expression.lower().replace(".", " ").split()
    if not tokens:
        return None
    first = tokens[0]
    if first in ("today", "tonight"):
        return published
    if first in ("yesterday", "overnight"):
        # 'overnight' in a report is the night before it: the event began the day before
        return published - dt.timedelta(days=1)
    if first in WEEKDAYS:
        back = (published.weekday() - WEEKDAYS.index(first)) % 7
        return published - dt.timedelta(days=back)
    month, day = 0, 0
    if len(tokens) >= 2:
        if month_number(first) and tokens[1].rstrip("stndrh").isdigit():
            month, day = month_number(first), int(tokens[1].rstrip("stndrh"))
        elif first.rstrip("stndrh").isdigit() and month_number(tokens[1]):
            month, day = month_number(tokens[1]), int(first.rstrip("stndrh"))
    if not month:
        return None
    try:
        date = dt.date(published.year, month, day)
    except ValueError:
        return None
    if date > published:  # 'December 30' in a report of 2 January
        date = date.replace(year=date.year - 1)
    return date
