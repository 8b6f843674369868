"""Number reading: digits, separators, number words; property tests with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from processors.quantities import UNITS, read_number, word_value


@given(st.integers(min_value=0, max_value=10**7))
def test_digits_and_grouped_thousands_read_back(n: int):
    assert read_number([str(n)], 0) == (n, 1)
    assert read_number([f"{n:,}", "people"], 0) == (n, 1)


@given(
    st.sampled_from(["twenty", "thirty", "forty", "fifty", "ninety"]), st.sampled_from(range(1, 10))
)
def test_hyphenated_number_words(tens: str, unit: int):
    word = next(w for w, v in UNITS.items() if v == unit)
    value = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "ninety": 90}[tens]
    assert read_number([tens.title(), "-", word, "people"], 0) == (value + unit, 3)


@given(st.text(max_size=12))
def test_any_token_reads_as_a_number_or_none_without_raising(word: str):
    value = word_value(word)
    assert value is None or value >= 0


def test_scales_dozen_and_bad_grouping():
    assert read_number(["two", "hundred", "civilians"], 0) == (200, 2)
    assert read_number(["a", "dozen", "soldiers"], 0) == (12, 2)
    assert read_number(["1,1"], 0) is None
    assert read_number(["dozens"], 0) is None


def test_a_number_of_dozens_is_a_count():
    # facts9: 'has risen to two dozen' (b9-028, b10-027 read 2)
    assert read_number(["two", "dozen", "people"], 0) == (24, 2)
    # must not match: 'two dozens of' is no count; 'dozens' alone stays vague
    assert read_number(["dozens", "of", "people"], 0) is None
