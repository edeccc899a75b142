"""The ``words`` view: disguised words restored for phrase rules, word boundaries and numbers kept.

Insult, accusation and review rules match phrases ("you are a liar", "leave a 5-star review"), so they
cannot use the ``letters`` view (which deletes every separator of a spelled-out run, spaces between words
included). The ``words`` view joins the letters of one spelled-out word and keeps the gaps between words;
these tests pin what it joins, what it must leave alone, and that a finding in it is reported on the
characters the seller typed.
"""

from __future__ import annotations

import pytest

import app
from app.normalize import VIEW_NAMES, Views


@pytest.mark.parametrize(
    "draft, folded",
    [
        # a spelled-out word among normal words
        ("you are a l i a r", "you are a liar"),
        ("you are a L.I.A.R", "you are a liar"),
        ("s c a m m e r", "scammer"),
        ("your r.e.f.u.n.d", "your refund"),
        ("r-e-v-i-e-w", "review"),
        ("Sie sind ein B e t r ü g e r", "sie sind ein betrüger"),
        ("sei un b u g i a r d o", "sei un bugiardo"),
        ("あなたは う そ つ き", "あなたは うそつき"),
        ("好 评 返 现", "好评返现"),
        # a one-letter word before the spelled-out word keeps its space
        ("leave a r e v i e w please", "leave a review please"),
        # whole phrases spelled out: wider gaps, or another separator, are the word breaks
        ("y o u  a r e  a  l i a r", "you  are  a  liar"),
        ("please leave a 5-s-t-a-r r.e.v.i.e.w", "please leave a 5-star review"),
        # leetspeak inside words
        ("You are an 1diot and a l1ar, b!tch", "you are an idiot and a liar, bitch"),
        ("you are a sc4mmer!!", "you are a scammer!!"),
    ],
)
def test_words_view_joins_disguised_words(draft, folded):
    assert Views(draft)["words"].text == folded


@pytest.mark.parametrize(
    "draft",
    [
        "u r a liar",  # chat spelling, three one-letter words: not a spelled-out word
        "Y a-t-il un souci ?",  # French, mixed separators
        "Size S M L XL",
        "Größe S / M / L",
        "5star 10euro 3rd mp3 B07XYZ1234 2x 4k",  # numbers with their units, ordinals, codes
        "Order 123-1234567-1234567 costs €19.99, 5 stars, 1-star",
        "Hello! Thanks!! See you.",
    ],
)
def test_words_view_leaves_ordinary_text_alone(draft):
    assert Views(draft)["words"].text == Views(draft)["text"].text


def test_words_view_is_registered_and_maps_back_monotonically():
    assert "words" in VIEW_NAMES
    for draft in ["y o u  a r e  a  l i a r", "Ｌ．Ｉ．Ａ．Ｒ", "l\u200bi a r s", "sc4mm3r ß", "加 微 信 😀 r e v i e w"]:
        v = Views(draft)["words"]
        assert len(v.starts) == len(v.ends) == len(v.text)
        assert all(0 <= s < e <= len(draft) for s, e in zip(v.starts, v.ends))
        assert v.starts == sorted(v.starts) and v.ends == sorted(v.ends)


@pytest.mark.parametrize(
    "draft, typed, category",
    [
        ("We checked the photos. You are a l i a r.", "You are a l i a r", "abusive"),
        ("You are a L-I-A-R and a thief.", "You are a L-I-A-R", "abusive"),
        ("You are an 1d1ot.", "You are an 1d1ot", "abusive"),
        ("Please leave us a 5-s-t-a-r r-e-v-i-e-w!", "5-s-t-a-r r-e-v-i-e-w", "review-manipulation"),
        ("Please remove your bad r e v i e w, we will refund you.", "remove your bad r e v i e w", "review-manipulation"),
    ],
)
def test_disguised_phrases_are_flagged_on_the_typed_characters(draft, typed, category):
    findings = [f for f in app.check(draft, lang="en").findings if f.category == category]
    assert findings, f"no {category} finding in {draft!r}"
    start = draft.index(typed)
    assert any(f.start <= start and f.end >= start + len(typed) for f in findings)
    for f in findings:
        assert f.text == draft[f.start:f.end]


def test_spaced_letters_in_an_ordinary_message_stay_silent():
    for draft in ["We stock sizes S M L and XL.", "Y a-t-il un souci avec la taille S / M / L ?",
                  "Your 5star-rated kettle ships today, 2x 4k cables included."]:
        assert app.check(draft).verdict == "ok", draft


# ── the numbers view: numbers from 10 to 99 read out in pairs ─────────────────────────────────────────


@pytest.mark.parametrize(
    "draft, folded",
    [
        ("zéro six, quarante-cinq, douze, trente, quatre-vingt-dix-huit", "0 6, 4 5, 1 2, 3 0, 9 8"),
        ("zéro sept, soixante et onze, vingt-deux, quatre-vingts, dix-neuf", "0 7, 7 1, 2 2, 8 0, 1 9"),
        ("null eins sieben eins, einundzwanzig, vierunddreißig", "0 1 7 1, 2 1, 3 4"),
        ("tres seis cinco, veintiuno, treinta y cuatro", "3 6 5, 2 1, 3 4"),
        ("tre tre nove, ventotto, trentuno, quarantadue, diciassette", "3 3 9, 2 8, 3 1, 4 2, 1 7"),
        ("five five five, forty-two, seventeen, ninety", "5 5 5, 4 2, 1 7, 9 0"),
    ],
)
def test_numbers_view_reads_two_digit_numbers(draft, folded):
    assert Views(draft)["numbers"].text == folded


def test_numbers_view_maps_each_number_to_its_words():
    draft = "Tel: quatre-vingt-dix-huit"
    v = Views(draft)["numbers"]
    assert v.text == "tel: 9 8"
    s, e = v.span(5, 8)
    assert draft[s:e] == "quatre-vingt-dix-huit"


@pytest.mark.parametrize(
    "draft, number, lang",
    [
        ("Rufen Sie mich an: null eins sieben eins, einundzwanzig, vierunddreißig, sechsundfünfzig, achtundsiebzig.",
         "null eins sieben eins, einundzwanzig, vierunddreißig, sechsundfünfzig, achtundsiebzig", "de"),
        ("Llámenos al seis, doce, treinta y cuatro, cincuenta y seis, setenta y ocho.",
         "seis, doce, treinta y cuatro, cincuenta y seis, setenta y ocho", "es"),
        ("Mi chiami al tre tre nove, ventotto, trentuno, quarantadue, diciassette.",
         "tre tre nove, ventotto, trentuno, quarantadue, diciassette", "it"),
        ("Appelez le zéro six, quarante-cinq, douze, trente, quatre-vingt-dix-huit.",
         "zéro six, quarante-cinq, douze, trente, quatre-vingt-dix-huit", "fr"),
    ],
)
def test_a_phone_number_read_out_in_pairs_is_flagged_on_its_words(draft, number, lang):
    phones = [f for f in app.check(draft, lang=lang).findings if f.rule == "contact-details.phone"]
    assert [(f.start, f.end) for f in phones] == [(draft.index(number), draft.index(number) + len(number))]


def test_counts_and_durations_in_words_are_not_phone_numbers():
    for draft, lang in [("Le colis arrivera dans vingt-quatre heures, au plus tard dans trente jours.", "fr"),
                        ("Wir haben zwanzig, dreißig oder vierzig Stück auf Lager.", "de"),
                        ("Twenty-one days after delivery, the return window closes.", "en")]:
        assert not [f for f in app.check(draft, lang=lang).findings if f.category == "contact-details"], draft


# ── the letters view: spread letters, a leet digit among them ──────────────────────────────────────────────


@pytest.mark.parametrize(
    "draft, folded",
    [
        ("ci scriva su t 3 l e g r a m", "ci scriva su telegram"),
        ("w h 4 t s a p p", "whatsapp"),
        ("i n s t 4 g r 4 m", "instagram"),
        ("t e 1 e g r a m", "telegram"),
        # a "1" before an l is an i, after a vowel too, as in a word ("ema1l"): one reading for both
        ("send e m a 1 l s now", "send emails now"),
        # a number spread digit by digit, or a size with two letters, stays as typed
        ("el número es 6 1 2 - 3 4 5 - 6 7 8", "el número es 6 1 2 - 3 4 5 - 6 7 8"),
        ("3 x 4 m", "3 x 4 m"),
        # more digits than letters is no word
        ("a 1 b 3 c 5 d 7", "a 1 b 3 c 5 d 7"),
        # the plain space after a word spread with punctuation is none of its separators: "o" (Spanish "or") stays a word
        ("se lo paso por B.i.z.u.m o transferencia", "se lo paso por bizum o transferencia"),
        ("y W.h.a.t.s.A.p.p", "y whatsapp"),
        # a word spread with spaces only, or with dots only, is joined whole
        ("add me on w h a t s a p p", "add me on whatsapp"),
        ("T.e.l.e.g.r.a.m", "telegram"),
    ],
)
def test_letters_view_folds_words_spread_with_separators(draft, folded):
    assert Views(draft)["letters"].text == folded

