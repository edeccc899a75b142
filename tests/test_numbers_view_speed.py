"""The numbers view's faster searches (app/normalize.py) find exactly what the plain ones find."""

from __future__ import annotations

import random

from app import normalize as N

_PARTS = [*N._NUMBER_WORDS, "some", "fun", "don", "x", "é", "ü", "1", "²", "_", "-", " ", "  ", "\n", ".", "dix-",
          "quatre-vingt", "twenty", "vingt et un", "someone", "neuneins", "Eins", "ONE", "零", "一二三", "两", "〇"]


def _texts(seed: int, n: int = 8000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PARTS) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def _words(pattern, t: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(t) if N._is_word(t, m.start(), m.end())]


def test_number_words_at_word_starts_are_the_same_words():
    for t in _texts(1):
        assert _words(N._NUMBER_WORD_AT_START, t) == _words(N._NUMBER_WORD, t), t


def test_cjk_digit_test_is_necessary_for_the_hint():
    for t in _texts(2):
        if N._CJK_DIGIT_HINT.search(t):
            assert N._has_cjk_digit(t), t
        if not N._has_cjk_digit(t):
            assert N._CJK_DIGIT_HINT.search(t) is None, t


def test_numbers_view_is_the_same_as_with_the_plain_search(monkeypatch):
    texts = _texts(3, 3000)
    fast = []
    for t in texts:
        v = N.numbers_view(N.fold_text(t), t)
        fast.append((v.text, v.starts, v.ends))
    monkeypatch.setattr(N, "_NUMBER_WORD_AT_START", N._NUMBER_WORD)
    monkeypatch.setattr(N, "_has_cjk_digit", lambda t: True)
    for t, f in zip(texts, fast):
        v = N.numbers_view(N.fold_text(t), t)
        assert (v.text, v.starts, v.ends) == f, t
