"""Which findings of a report carry a phrase rewrite (app/rewrites.toml) rather than their rule's own fix.

Shared by tests/test_rewrites.py and the corpus walk of tests/test_corpus.py (no rewrite may fire on a clean message).
"""

from __future__ import annotations

from app import engine


def phrase_fixes(text: str, report) -> list:
    """The findings of ``report`` (``app.check(text)``, rewrites applied) whose fix differs from the one the engine
    alone gives the same finding: the engine's own report has no rewrites (and comes from its cache, ~1 ms)."""
    own = {(f.rule, f.start, f.end): f for f in engine.check(text).findings}
    return [f for f in report.findings
            if f.fix is not None and (f.fix, f.fix_start, f.fix_end) != (own[(f.rule, f.start, f.end)].fix, None, None)]
