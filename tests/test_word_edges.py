"""Word-edge sets of patterns (app/prefilter.py ``required_word_sets``/``word_in``): the engine skips a pattern
whose words do not occur with their edges ("se" only inside "sent" cannot match ``\\bse\\b``). A wrong set
would silently drop findings, so every set is checked against real matches here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app import engine
from app.catalogue import compile_catalogue, load_compiled, pattern_words
from app.prefilter import marked_word_sets, required_word_sets, word_edges, word_flagged, word_in, word_unflagged

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text,core,lb,rb,expected",
    [
        ("we sent it", "se", True, True, False),
        ("no se puede", "se", True, True, True),
        ("se.", "se", True, True, True),
        ("_se", "se", True, False, False),
        ("ése", "se", True, False, False),  # "é" is a word character
        ("use", "se", False, True, True),
        ("use", "se", True, False, False),
        ("sent", "se", False, False, True),
        ("a e-mail b", "e-mail", True, True, True),
        ("ae-mail", "e-mail", True, True, False),
        ("haben sie", "haben sie", True, False, True),
        ("xhaben sie", "haben sie", True, False, False),
    ],
)
def test_word_in(text, core, lb, rb, expected):
    assert word_in(text, core, lb, rb) is expected


def test_sets_name_words_with_their_edges():
    assert required_word_sets(r"\b(?:se|es)\b") == [(("es", True, True), ("se", True, True))]
    assert required_word_sets(r"\bcall\s+me\b") == [(("call", True, True),), (("me", True, True),)]
    assert required_word_sets(r"(?<!\w)haben(?!\w) (?:sie|du)") == [(("haben du", True, False), ("haben sie", True, False))]
    # Optional letters give both forms: "idiot" and "idiots", each a whole word.
    assert (("idiot", True, True), ("idiots", True, True)) == required_word_sets(r"\bidiots?\b")[0]


@pytest.mark.parametrize("pattern", [r"(?a)\bx\b", r"(?i)\bfoo\b", r"(?a:\bfoo\b)", r"foo"])
def test_no_sets_where_edges_differ_or_are_unknown(pattern):
    assert required_word_sets(pattern) == []


def _texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def test_every_match_holds_a_member_of_each_set():
    """Soundness over the catalogue: wherever a pattern matches (corpus messages and the rules' own examples,
    plain and with sentence windows cut as the engine cuts them), each of its sets has a member in the text."""
    cat = engine.default_catalogue()
    # Every 25th message: the examples give most matches (4,762 of 5,000 at every fifth message), and each
    # corpus text costs a search by each of the ~4,800 patterns (every fifth message took 180 s, on 2026-12-04).
    corpus = _texts()[::25]
    checked = 0
    for rule in cat.rules:
        examples = [re.sub(r"\[\[|\]\]", "", x) for x in (*rule.bad, *rule.good)]
        for pattern, sets in zip(rule.patterns, pattern_words(rule)):
            if not sets:
                continue
            for text in (*examples, *corpus):
                m = pattern.search(text)
                if m is None:
                    continue
                checked += 1
                for ws in sets:
                    assert any(word_in(text, *word_edges(w)) for w in ws), (rule.id, pattern.pattern, text, ws)
                # A window ending after a sentence end (the engine's windows): still sound.
                cut = text.find(". ", m.end())
                if cut != -1:
                    w = pattern.search(text, 0, cut + 1)
                    if w is not None:
                        for ws in sets:
                            assert any(word_in(text, *word_edges(x)) for x in ws), (rule.id, pattern.pattern, text, ws)
    assert checked > 1000


def test_marked_sets_round_trip_through_the_compiled_form():
    sets = marked_word_sets(r"\b(?:se|es)\b")
    assert [[word_edges(w) for w in ws] for ws in sets] == [[("es", True, True), ("se", True, True)]]
    for ws in sets:
        for w in ws:
            assert word_unflagged(word_flagged(w)) == w


def test_compiled_catalogue_carries_the_sets():
    cat = engine.default_catalogue()
    again = load_compiled(compile_catalogue(cat))
    for a, b in zip(cat.rules, again.rules):
        assert pattern_words(a) == b.words


def test_a_word_inside_another_word_makes_no_candidate(tmp_path):
    from tests.test_engine import make_catalogue, rule

    cat = make_catalogue(tmp_path, rule("test.se", r"['\bse\s+(?:puede|vende)\b']"))
    plan = engine._plan_for(cat)
    assert plan.views.candidates("text", "we sent it, you can use it, unpuede", {}) == []
    assert plan.views.candidates("text", "no se puede", {})
    # Whole words are looked up among a token's words: "puede?" holds "puede", "puede_x" and "puedes" do not.
    assert plan.views.candidates("text", "¿no se puede?", {})
    assert plan.views.candidates("text", "no se puede_x, se puedes", {}) == []
    assert [f.text for f in engine.check("No se puede.", catalogue=cat).findings] == ["se puede"]
    assert engine.check("We sent it; use puede.", catalogue=cat).findings == ()
