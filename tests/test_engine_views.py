"""The fast forms of the views' regexes match exactly what their plain forms match (app/normalize.py).

Several regexes of the views are written for speed (grouped by first character, a look-ahead in front,
one character class first); the plain form each one stands for is spelled out here and compared with it on
seeded random texts made of the words and separators that matter.
"""

from __future__ import annotations

import random
import re

from app import normalize as N

_SEPARATORS = ["", "", " ", "  ", "-", "\n", "x", "é", "1", "²", " y ", " et ", "und"]


def _texts(words: list[str], seed: int, n: int = 6000) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(words) + rng.choice(_SEPARATORS) for _ in range(rng.randint(1, 12))) for _ in range(n)
    ]


def _number_words() -> list[str]:
    return sorted({*N._NUMBER_WORDS, *N._UNIT_WORDS, *N._TENS_WORDS, *N._TEEN_WORDS, *N._ELIDED_TENS,
                   *N._TWO_DIGIT_FIRST_WORDS, "quatre-vingt", "quatre-vingts", "soixante-dix", "zehn", "ten"})


def test_two_digits_lookahead_keeps_the_matches():
    plain = re.compile(N._TWO_DIGITS_BODY)
    for t in _texts(_number_words(), 1):
        assert [(m.span(), m.groupdict()) for m in N._TWO_DIGITS.finditer(t)] == [
            (m.span(), m.groupdict()) for m in plain.finditer(t)
        ], t


def test_number_word_grouping_keeps_the_matches():
    plain = re.compile("|".join(sorted(N._NUMBER_WORDS, key=len, reverse=True)))
    for t in _texts(_number_words(), 2):
        assert [m.span() for m in N._NUMBER_WORD.finditer(t)] == [m.span() for m in plain.finditer(t)], t


def test_two_digit_hint_grouping_keeps_the_answer():
    plain = re.compile(
        r"zig|ssig|vingt|ante|enta|anta|eint|venti|teen|ten|elf|zwölf|zehn|dix|onze|douze|treize|quatorze|quinze"
        r"|seize|diez|doce|trece|catorce|quince|dieci|undici|dodici|tredici|quattordici|quindici|sedici|twelve"
        r"|eleven|forty|fifty|twenty|thirty|sixty|seventy|eighty|ninety"
    )
    for t in _texts(_number_words() + ["content", "often", "attention"], 3):
        assert bool(N._TWO_DIGIT_HINT.search(t)) == bool(plain.search(t)), t


_ADDRESS_WORDS = [
    "john", "at", " at ", "  at  ", "gmail", ".", " . ", "com", "dot", " dot ", "(at)", "[dot]", "{ at }", "<.>",
    "@", " @ ", "me", "web", "mail", "x", "点", "ドット", "アット", "アットマーク", "艾特", "。", "de", "www", " ", "あっと", "どっと", "あっという間", "jp", "まで",
    "   ", "\n", "order", "shop", "i.softbank", "arroba", "punkt", "-", "1", "é", "qq", "163", "info", "look", "-at-", "-dot-", "bei", " chez ", "ät", "max.m",
]


def test_address_hint_is_its_plain_form():
    a, d, p = N._AT_WORD, N._DOT_WORD, N._MAIL_PROVIDER.pattern
    plain = re.compile(
        rf"[\[\(\{{<]\s{{0,3}}(?:{a}|{d}|@|\.)\s{{0,3}}[\]\)\}}>]|\s{d}\s|\s@|@\s|\s\.\s|\s{a}\s{{1,3}}{p}"
        r"|点|ドット|アット|あっと|どっと|艾特|[a-z0-9]。[a-z]|-at-"
    )
    for t in _texts(_ADDRESS_WORDS, 4, 20000):
        assert bool(N._ADDRESS_HINT.search(t)) == bool(plain.search(t)), t


def test_address_hint_is_needed_for_every_edit():
    """Without a hint the address view is the text view: so no text without one may have an edit."""
    for t in _texts(_ADDRESS_WORDS, 5, 20000):
        if not N._ADDRESS_HINT.search(t):
            assert N._address_edits(t) == [], t


def test_japanese_spelled_at_and_dot_rebuild_an_address():
    v = N.Views("詳しくはメール（info あっと sakura-zakka どっと jp）まで")["address"]
    assert "info@sakura-zakka.jp" in v.text
    assert "infoアットshopドットjpまで" not in N.Views("メールはinfoアットshopドットjpまで")["address"].text
    # ordinary words stay as they are
    assert N.Views("あっという間に届きました。どっと疲れました。")["address"].text == "あっという間に届きました。どっと疲れました。"


def test_full_width_comma_is_no_digit_group_in_the_numbers_view():
    # "0912，24小时" must not read as "0912,24" (a longer number), so the phone before it is still seen
    v = N.Views("wats app：＋８６ １３８ ２７５６ ０９１２，24小时在线")["numbers"]
    assert "0912、24" in v.text
    s, e = v.span(v.text.index("+86"), v.text.index("0912") + 4)
    assert (s, e) == (9, 26)
    # an ASCII comma keeps its meaning
    assert "1,234" in N.Views("1,234 pieces")["numbers"].text


_LETTER_WORDS = [
    "w", "h", "a", "t", "s", "p", "wh@ts", "sk1pe", "p4y", "b!tch", "hello!", "3rd", "B07XYZ1234", "é", "加", "微",
    "liar", "I", "S", "M", "L", "5star", "$kype", "_", "x1", "0", "7", "!", "@",
]
_LETTER_SEPARATORS = ["", " ", "  ", "   ", "    ", ".", ". ", "-", "_", "·", "*", "|", "/", "+", "\n", ",", "'"]


def _spread_texts(seed: int, n: int = 20000) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_LETTER_WORDS) + rng.choice(_LETTER_SEPARATORS) for _ in range(rng.randint(1, 14)))
        for _ in range(n)
    ]


def test_quick_letter_hints_give_the_full_answers():
    for t in _spread_texts(6):
        t = t.lower()
        assert bool(N._LEET_NEAR.search(t)) == bool(N._LEET_HINT.search(t)), t
        assert bool(N._WORD_LEET_NEAR.search(t)) == bool(N._WORD_LEET_HINT.search(t)), t
        assert N._has_spread(t) == bool(N._SPREAD.search(t)), t
        assert N._has_spread(t.upper()) == bool(N._SPREAD.search(t.upper())), t


def _run_joined(text: str) -> str:
    """The draft's spread runs with their separators taken out (what the letters view matches against)."""
    out, last = [], 0
    for a, b, _ in N._spread_edits(text):
        out.append(text[last:a])
        last = b
    return "".join(out) + text[last:]


def test_latin_letters_spread_against_japanese_or_chinese_text_are_joined():
    # A kana or CJK character is a word character to `re`, so a run that touches one ('P a y P a yで') was not
    # a run at all, or was cut one letter short ('W.h.a.t.s.A.p.pで' read as 'WhatsAp'): ja-hi07's evasion.
    assert _run_joined("お支払いはP a y P a yでお願いします") == "お支払いはPayPayでお願いします"
    assert _run_joined("请用P a y P a l付款") == "请用PayPal付款"
    assert _run_joined("W.h.a.t.s.A.p.pで連絡") == "WhatsAppで連絡"
    assert _run_joined("微信或W h a t s A p p联系") == "微信或WhatsApp联系"
    # Text without kana or CJK is cut into runs exactly as before (the pattern as it was, by its boundaries).
    before = re.compile(r"(?<![^\W_])(?:[^\W\d_][ .\-_·*|/+]{1,3}){2,}[^\W\d_](?![^\W_])")
    for t in _spread_texts(8):
        if not re.search("[" + N._CJK + "]", t):
            assert [m.span() for m in N._SPREAD.finditer(t)] == [m.span() for m in before.finditer(t)], t
