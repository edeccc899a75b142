"""Buyer-message checker: checks a draft to an Amazon buyer against Amazon's communication rules.

Pure Python (standard library only), runs unchanged on CPython 3.11+ and in Pyodide. The public API is
this small and pinned by tests/test_api.py:

- ``check(text, *, lang=None, own_terms=()) -> Report``: the findings on the draft's own characters,
  with the phrase rewrites of app/rewrites.toml attached as one-click fixes.
- ``Report``: ``.verdict`` ("ok" | "review" | "fix"), ``.findings``, ``.lang``, ``.to_dict()``.
- ``Finding``: one flagged span (rule, category, severity, start, end, text, title, message, suggestion,
  fix, policy, fix_start, fix_end).
- ``load_catalogue(rules_dir=None) -> Catalogue``: the validated, compiled rule catalogue.
- ``CatalogueError``: what is wrong in ``rules/`` (file, rule and fix).
"""

from __future__ import annotations

import functools
from typing import Sequence

from . import engine as _engine
from .catalogue import CatalogueError, load_catalogue
from .report import Finding, Report
from .rewrites import apply_rewrites as _apply_rewrites

__all__ = ["check", "Report", "Finding", "load_catalogue", "CatalogueError"]


@functools.wraps(_engine.check)
def check(text: str, *, lang: str | None = None, own_terms: Sequence[str] = (), **options) -> Report:
    # The engine's findings, then the phrase rewrites (app/rewrites.py) for the findings they serve.
    report = _engine.check(text, lang=lang, own_terms=own_terms, **options)
    return _apply_rewrites(text, report)
