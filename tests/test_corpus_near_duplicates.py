"""The labelled corpus holds no near-copies: variety is the point of a corpus, so no template copied with a word
swapped (two messages of one language whose difflib ratio exceeds 0.85, ``corpus_metrics.near_duplicates``).

A file of its own because it is among the slowest tests (about three minutes): pytest-xdist runs each test file
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
