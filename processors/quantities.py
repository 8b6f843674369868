"""Reading counts of people from tokens: digits, thousands separators and number words.

Pure functions over token texts, so they are tested without spaCy:

>>> read_number(["at", "least", "16"], 2)
(16, 3)
>>> read_number(["Twenty", "-", "three", "people"], 0)
(23, 3)
>>> read_number(["1,100", "killed"], 0)
(1100, 1)
>>> read_number(["dozens", "of"], 0) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
#: "two dozen" is 24 as "two hundred" is 200 ("a dozen" is read on its own: "a" is no number)
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
#: Vague quantities: a count is stated but not as a number ("dozens" → approximate, no count).
VAGUE = frozenset(
    "dozens scores several many hundreds thousands numerous multiple some countless".split()
)


def word_value(word: str) -> int | None:
    """Value of one number word or digit string; ``None`` if it is not one.

    >>> word_value("Five"), word_value("25,500"), word_value("1.5"), word_value("dozens")
    (5, 25500, None, None)
    """
    low = word.lower()
    if low in UNITS:
        return UNITS[low]
    if low in TENS:
        return TENS[low]
    if not low[:1].isdigit():
        return None
    digits = low.replace(",", "")
    if digits.isascii() and digits.isdigit() and (("," not in low) or _grouped(low)):
        return int(digits)
    return None


def _grouped(text: str) -> bool:
    """True for correct thousands grouping such as ``1,100`` (not ``1,1``)."""
    head, *groups = text.split(",")
    return 1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)


def read_number(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """Read the number starting at ``words[i]``; return ``(value, index after it)`` or ``None``.

    Handles "twenty - three", "two hundred", "a dozen" (12) and "1,100".
    """
    if i >= len(words):
        return None
    low = words[i].lower()
    if low in ("a", "one") and i + 1 < len(words) and words[i + 1].lower() == "dozen":
        return 12, i + 2
    value = word_value(words[i])
    if value is None:
        return None
    j = i + 1
    if low in TENS and j + 1 < len(words) and words[j] == "-" and words[j + 1].lower() in UNITS:
        value += UNITS[words[j + 1].lower()]
        j += 2
    while j < len(words) and words[j].lower() in SCALES:
        value *= SCALES[words[j].lower()]
        j += 1
    return value, j
