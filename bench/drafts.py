"""The drafts the benchmarks check, one definition for bench/engine.py and bench/boot.py.

Drafts are whole messages of the main corpus, joined and cut at the wanted length. They come from the first
``PINNED`` messages of each ``tests/corpus/<lang>.jsonl``: the files only grow at their end (blind sets are
appended), so the drafts stay the same text while the corpus grows and their timings compare across stops.

Languages are interleaved by striding through the messages. The stride must share no factor with the number of
messages, or the walk comes back to its start early and the draft repeats itself: until 2026-12-01 the drafts
were cut from the whole corpus, 9,361 messages = 37 × 253, and the 100,000-character paste of bench/boot.py was
253 messages over and over (614 distinct pieces of 1,170), so half of it came from the engine's piece cache.
"""

from __future__ import annotations

import json
from math import gcd
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"

#: The first PINNED messages of each language file make the drafts.
PINNED = 1000
#: The stride through the messages when there are more of them (the next number sharing no factor with their count).
STRIDE = 37


def corpus_messages(pinned: int | None = PINNED, *, lang: str | None = None) -> list[str]:
    """The texts of tests/corpus/<lang>.jsonl (not the holdout) in file order, the first ``pinned`` lines of each
    file (all with None), of one language when ``lang`` is given."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:pinned]:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str) and lang in (None, record.get("lang")):
                out.append(record["text"])
    return out


def stride_for(count: int, preferred: int = STRIDE) -> int:
    """A stride that visits every one of ``count`` messages before any comes again."""
    if count <= preferred:
        return 1
    stride = preferred
    while gcd(stride, count) != 1:
        stride += 1
    return stride


def join_messages(messages: list[str], length: int, *, sep: str, stride: int = 1) -> str:
    """Whole messages, every ``stride``-th (cyclically), joined by ``sep`` and cut at ``length`` characters."""
    parts: list[str] = []
    size = i = 0
    while size < length:
        parts.append(messages[(i * stride) % len(messages)])
        size += len(parts[-1]) + len(sep)
        i += 1
    return sep.join(parts)[:length]
