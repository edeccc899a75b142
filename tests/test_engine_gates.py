"""The first-character gates of patterns (app/prefilter.py ``first_class``/``gated``): a gated pattern finds
exactly the matches (spans and groups) of the pattern it stands for."""

from __future__ import annotations

import random
import re

import pytest

from app.catalogue import parse_example
from app.engine import default_catalogue
from app.prefilter import first_class, gate_class, gated


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"abc", "[a]"),
        (r"\b(?:write|e-?mail)\s", "[ew]"),
        (r"(?<![a-z])(?:\+|00)?\d{3}", r"[\d\U0000002b0]"),
        (r"(?<![\d.,])(?:\+\s?)?\d(?:[\s,.]{1,3}\d){6}", r"[\d\U0000002b]"),
        (r"a?b", "[ab]"),
        (r"(?:x|y*)z", "[xyz]"),
        (r"(?=foo)[f-h]oo", r"[\U00000066-\U00000068]"),
        (r"\s+at\b", r"[\s]"),
        (r"(?i)abc", "[a]"),  # put in front under the same flag, the class matches "A" as the pattern does
        (r"(?i)\b(?:review|feedback)\s", "[fr]"),
    ],
)
def test_first_class(pattern, expected):
    assert first_class(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"x*",  # matches the empty string
        r"(?:a|)",  # so does this
        r"(?i:a)bc",  # a flag on part of the pattern only
        r"(?is)abc",  # other global flags are not analysed
        r"\wabc",  # too broad
        r"[^a]b",  # negated
        r".b",  # any character
        r"(a)\1",  # fine, but: (?P=…) and conditionals are not analysed
        r"(?(1)a|b)",
    ],
)
def test_first_class_declines(pattern):
    if pattern == r"(a)\1":
        assert first_class(pattern) == "[a]"
    else:
        assert first_class(pattern) is None


def test_gated_only_where_re_cannot_skip_by_itself():
    assert gated(r"send(?<!\wsend)\s+me") is None  # a literal prefix already
    assert gated(r"[:;=][-']?[)(]") is None  # a class first already
    assert gated(r"(?:call|ring)\s+me") is None  # a branch of literals
    assert gated(r"\b(?:call|ring)\s+me") == r"(?=[cr])(?:\b(?:call|ring)\s+me)"


def test_gated_case_insensitive_keeps_its_flag_first():
    """A case-insensitive pattern is gated too (``re`` skips ahead to a first character only when it has no case),
    its flag stays at the start so that it covers the class, and every case of a first character gets through,
    also those Unicode folds to the same letter (KELVIN SIGN for k, LONG S for s)."""
    assert gated(r"(?i)(?:reviews?|feedback)\b") == r"(?i)(?=[fr])(?:(?:reviews?|feedback)\b)"
    assert gated(r"(?i)\bkey") == r"(?i)(?=[k])(?:\bkey)"
    quick = re.compile(gated(r"(?i)\b(?:key|sale)"))
    for text in ("key", "KEY", "Key", "\u212aey", "sale", "SALE", "\u017fale"):
        assert quick.search(text) is not None, text
        assert quick.search(text).span() == re.search(r"(?i)\b(?:key|sale)", text).span()


_PIECES = ["call me", "+49 170 1234567", "0049-170-123 45 67", "\u200bwhats app", "WhatsApp", "line", "テレグラム",
           "微信", "@handle", "john at gmail dot com", "(555) 123-4567", "  ", "\n", ". ", "!", "é", "ß", "5 stars"]


def _random_texts() -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choice(_PIECES) + rng.choice([" ", "", ", "]) for _ in range(rng.randint(1, 10)))
            for _ in range(400)]


def _examples(rule) -> list[str]:
    return [parse_example(ex)[0] for ex in (*rule.bad, *rule.good)]


def _texts() -> list[str]:
    """Every rule example (good and bad) and 400 random texts of contact-like pieces."""
    return [t for rule in default_catalogue().rules for t in _examples(rule)] + _random_texts()


def test_gated_patterns_match_like_the_originals():
    """Each gated pattern against its own rule's examples (where its matches are), 300 other rules' examples
    drawn at random (other words, other scripts), the 400 random texts, each as written, lower-cased and upper-cased.
    Not every pattern against every example: with ~3,000 gated patterns and ~14,000 examples that was 6
    minutes, the slowest test of the suite, and a gate can only differ from its pattern where the pattern
    matches, which its own examples and the random contact pieces provide. The texts are joined by line
    breaks into one string per rule, one search per pattern."""
    cat = default_catalogue()
    others = [t for rule in cat.rules for t in _examples(rule)]
    rng = random.Random(11)
    randoms = _random_texts()
    checked = 0
    for rule in cat.rules:
        texts = _examples(rule) + rng.sample(others, 300) + randoms
        texts += [t.lower() for t in texts] + [t.upper() for t in texts]
        joined = "\n".join(texts)  # one search per pattern; line breaks, starts and ends of texts are inside it
        for src in rule.patterns.sources:
            fast = gated(src)
            if fast is None:
                continue
            slow, quick = re.compile(src), re.compile(fast)
            assert quick.groupindex == slow.groupindex
            a = [(m.span(), m.groups()) for m in slow.finditer(joined)]
            b = [(m.span(), m.groups()) for m in quick.finditer(joined)]
            if a != b:  # narrowed to the text where they part, for the message
                for t in texts:
                    assert [(m.span(), m.groups()) for m in slow.finditer(t)] == \
                        [(m.span(), m.groups()) for m in quick.finditer(t)], (rule.id, src, t)
                assert a == b, (rule.id, src, "only where texts meet")
            checked += 1
    assert checked > 100


def test_compiled_catalogue_carries_the_gates():
    from app.catalogue import compile_catalogue, load_compiled
    from app.engine import check

    cat = default_catalogue()
    compiled = load_compiled(compile_catalogue(cat))
    for rule in compiled.rules:
        assert rule.gates == tuple(gate_class(src) for src in rule.patterns.sources), rule.id
    for t in _texts()[::7]:
        a = check(t, catalogue=cat, incremental=False).to_dict()
        b = check(t, catalogue=compiled, incremental=False).to_dict()
        assert a == b, t
