"""The event's date from the time words of its sentences and the report's publication date.

News dates events relative to publication: "on Sunday" in a report published on Tuesday 2 June is
Sunday 31 May; "yesterday" is the day before; "last weekend" is the Saturday of the weekend before
the publication's; "June 5" is 5 June of the publication year (of the year before when that would
lie after publication). A date with its year ("15 April 1986") is that
day also without a publication date (a look back, an undated page); without a publication date
nothing else can be said: the tagger never guesses from the time it runs.
"""

from __future__ import annotations

import datetime as dt

from processors.eventfacts import WEEKDAYS, month_number


def resolve(expression: str, published: dt.date | None) -> dt.date | None:
    """The date ``expression`` ('Sunday', 'yesterday', 'Oct. 17', '5 June') names, or None."""
    tokens = expression.lower().replace(".", " ").replace(",", " ").split()
    if not tokens:
        return None
    year = _year(tokens[-1])
    if year is not None:  # '15 April 1986': the text says which year
        return _month_day(tokens[:-1], year)
    if published is None:
        return None
    first = tokens[0]
    if first in ("today", "tonight"):
        return published
    if first in ("yesterday", "overnight"):
        # 'overnight' in a report is the night before it: the event began the day before
        return published - dt.timedelta(days=1)
    if tokens[-1] == "weekend":
        # its Saturday, the one before this weekend for 'last weekend' ('last weekend's attack'
        # in a Friday report: six days back); which day of it the text does not say
        back = (published.weekday() - WEEKDAYS.index("saturday")) % 7
        if first == "last" and back < 2:
            back += 7
        return published - dt.timedelta(days=back)
    if first in WEEKDAYS:
        back = (published.weekday() - WEEKDAYS.index(first)) % 7
        return published - dt.timedelta(days=back)
    date = _month_day(tokens, published.year)
    if date is not None and date > published:  # 'December 30' in a report of 2 January
        date = date.replace(year=date.year - 1)
    return date


def _year(token: str) -> int | None:
    if len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100:
        return int(token)
    return None


def _month_day(tokens: list[str], year: int) -> dt.date | None:
    """'oct 17' or '5 june' in ``year``; None for anything else."""
    month, day = 0, 0
    if len(tokens) >= 2:
        first = tokens[0]
        if month_number(first) and tokens[1].rstrip("stndrh").isdigit():
            month, day = month_number(first), int(tokens[1].rstrip("stndrh"))
        elif first.rstrip("stndrh").isdigit() and month_number(tokens[1]):
            month, day = month_number(tokens[1]), int(first.rstrip("stndrh"))
    if not month:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
