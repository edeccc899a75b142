"""The masked-swear-word pattern of abusive.profanity is written by tools/masked_swear_words.py from its word list:
the rule must hold exactly what the script prints (a word added to the list and not to the rule, or a hand edit of
a 7,000-character alternation, fails here), and the shapes the script promises hold in the checker itself."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

import app

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import masked_swear_words  # noqa: E402


def _profanity_patterns() -> list[str]:
    rules = tomllib.loads((REPO / "rules" / "abusive.toml").read_text(encoding="utf-8"))["rule"]
    (rule,) = [r for r in rules if r["id"] == "abusive.profanity"]
    return rule["patterns"]


def test_the_rule_holds_exactly_the_generated_pattern():
    assert masked_swear_words.pattern() in _profanity_patterns(), (
        "rules/abusive.toml abusive.profanity does not hold the pattern tools/masked_swear_words.py prints: "
        "paste its output over the masked-word pattern")


@pytest.mark.parametrize("draft, masked", [
    ("You are an a**hole.", "a**hole"),
    ("Sie A*schloch!", "A*schloch"),
    ("Eres un gilip*llas.", "gilip*llas"),
    ("Che str*nzo che è lei.", "str*nzo"),
    ("Quelle m*rde, ce client.", "m*rde"),
])
def test_a_masked_swear_word_is_blocked_on_its_own_characters(draft, masked):
    found = [f for f in app.check(draft, lang=None).findings if f.rule == "abusive.profanity"]
    assert [(f.text, f.severity) for f in found] == [(masked, "block")]


@pytest.mark.parametrize("draft", [
    "Tracking shows the parcel was signed for by M***N at 14:02.",   # first and last letter only: a masked name
    "The card ending ****1234 was charged 12,99 €.",
    "Dimensions: 120*60*75 cm, W*D*H.",
    "**Note:** search c*t to find both the cat and the cot covers.",  # three characters: too short to read as a word
    "Liebe Kund*innen, die Lieferung kommt Montag.",
])
def test_masks_that_are_not_swear_words_stay_silent(draft):
    assert not [f for f in app.check(draft).findings if f.rule == "abusive.profanity"]
