"""Buyer-message checker: checks a draft to an Amazon buyer against Amazon's communication rules.

Pure Python (standard library only), runs unchanged on CPython 3.11+ and in Pyodide. The public API is
this small and pinned by tests/test_api.py:

- ``check(text, *, lang=None, own_terms=()) -> Report``: the findings on the draft's own characters.
- ``Report``: ``.verdict`` ("ok" | "review" | "fix"), ``.findings``, ``.lang``, ``.to_dict()``.
- ``Finding``: one flagged span (rule, category, severity, start, end, text, title, message, suggestion,
  fix, policy).
- ``load_catalogue(rules_dir=None) -> Catalogue``: the validated, compiled rule catalogue.
- ``CatalogueError``: what is wrong in ``rules/`` (file, rule and fix).
"""

from .catalogue import CatalogueError, load_catalogue
from .engine import check
from .report import Finding, Report

__all__ = ["check", "Report", "Finding", "load_catalogue", "CatalogueError"]
