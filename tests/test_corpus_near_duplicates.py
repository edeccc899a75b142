"""The labelled corpus holds no near-copies: variety is the point of a corpus, so no template copied with a word
swapped (two messages of one language whose difflib ratio exceeds 0.85, ``corpus_metrics.near_duplicates``).

A file of its own because it is among the slowest tests (about a minute and a half): pytest-xdist runs each test file
whole on one worker, so here it runs beside test_corpus.py's walk of the corpus instead of after it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus_metrics as cm  # noqa: E402


def test_no_near_duplicate_messages():
    messages = cm.load(holdout=False) + (cm.load(holdout=True) if cm.holdout_present() else [])
    pairs = cm.near_duplicates(messages)
    assert not pairs, "near-duplicate messages:\n" + "\n".join(f"{a} ~ {b} ({ratio:.2f})" for a, b, ratio in pairs)


def _lcs_by_table(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        next_row = [0]
        for k, y in enumerate(b):
            next_row.append(row[k] + 1 if x == y else max(row[k + 1], next_row[k]))
        row = next_row
    return row[-1]


def test_the_bit_parallel_common_subsequence_is_the_longest():
    """The scan skips difflib where 2 * lcs_length / (len a + len b) is at most the ratio: it must be the longest
    common subsequence (the textbook table here), or pairs would be skipped that difflib finds alike."""
    import random

    rng = random.Random(20261206)
    for _ in range(2000):
        a, b = ("".join(rng.choice("ab cé好\n") for _ in range(rng.randint(0, 40))) for _ in range(2))
        assert cm.lcs_length(a, b) == _lcs_by_table(a, b), (a, b)
    text = "Thank you for your order, it ships today."
    assert cm.lcs_length(text, text) == len(text) and cm.lcs_length(text, "") == 0
