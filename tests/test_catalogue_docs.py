"""docs/RULES.md is generated from rules/*.toml; this test fails when it is stale.

Fix a failure with `.venv/bin/python -m app docs --write` and commit docs/RULES.md.
"""

from __future__ import annotations

from pathlib import Path

from app.catalogue import catalogue_markdown, load_catalogue

DOCS = Path(__file__).resolve().parent.parent / "docs" / "RULES.md"


def test_rules_md_is_current():
    expected = catalogue_markdown(load_catalogue())
    assert DOCS.is_file(), "docs/RULES.md is missing: run `python -m app docs --write`"
    current = DOCS.read_text(encoding="utf-8")
    assert current == expected, "docs/RULES.md is stale: run `.venv/bin/python -m app docs --write` and commit it"


def test_markdown_is_deterministic():
    cat = load_catalogue()
    assert catalogue_markdown(cat) == catalogue_markdown(load_catalogue())
