"""The benchmarks' drafts (bench/drafts.py): a long draft must be new text all the way, or the engine's piece
cache answers for the repeats and the timing flatters (the 100,000-character paste of bench/boot.py was 253
messages over and over until 2026-12-02, because 37 divided the message count)."""

from __future__ import annotations

import sys
from math import gcd
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import drafts  # noqa: E402


def test_stride_visits_every_message_before_repeating():
    for count in (1, 5, 37, 38, 74, 7000, 9361, 37 * 41 * 2):
        stride = drafts.stride_for(count)
        assert gcd(stride, count) == 1
        assert len({(i * stride) % count for i in range(count)}) == count
    assert drafts.stride_for(9361) != 37  # 9,361 = 37 x 253: the count that made the old draft repeat


def test_long_draft_repeats_no_message():
    messages = drafts.corpus_messages()
    assert len(messages) >= 1000
    stride = drafts.stride_for(len(messages))
    assert not any("\x00" in m for m in messages)
    text = drafts.join_messages(messages, 100_000, sep="\x00", stride=stride)  # a separator no message holds
    assert len(text) == 100_000
    parts = text.split("\x00")[:-1]  # the last one is cut
    used = [m for m in parts if m in set(messages)]
    assert len(used) == len(parts) > 300
    assert len(set(used)) == len(used)
