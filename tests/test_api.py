"""The public API is small and pinned: the page, the CLI, the appeal view and the README rely on it."""

from __future__ import annotations

import dataclasses
import inspect
import json

import app
from app.catalogue import Catalogue
from app.engine import validate_own_term


def test_public_names_are_pinned():
    assert app.__all__ == ["check", "Report", "Finding", "load_catalogue", "CatalogueError"]
    for name in app.__all__:
        assert hasattr(app, name)


def test_check_signature():
    sig = inspect.signature(app.check)
    params = sig.parameters
    assert list(params)[:3] == ["text", "lang", "own_terms"]
    assert params["lang"].kind is inspect.Parameter.KEYWORD_ONLY and params["lang"].default is None
    assert params["own_terms"].kind is inspect.Parameter.KEYWORD_ONLY and tuple(params["own_terms"].default) == ()


def test_finding_fields_and_frozen():
    names = [f.name for f in dataclasses.fields(app.Finding)]
    assert names == [
        "rule", "category", "severity", "start", "end", "text", "title", "message", "suggestion", "fix", "policy",
        "fix_start", "fix_end",
    ]
    assert app.Finding.__dataclass_params__.frozen


def test_report_shape_is_the_documented_json():
    draft = "Hi! Mail me at john@gmail.com 😊"
    report = app.check(draft)
    assert report.verdict == "fix"
    d = report.to_dict()
    assert list(d) == ["verdict", "lang", "counts", "findings"]
    assert list(d["counts"]) == ["block", "warn", "info"]
    assert d["counts"]["block"] >= 1 and d["counts"]["warn"] >= 1
    for f in d["findings"]:
        assert list(f) == [
            "rule", "category", "severity", "start", "end", "text", "title", "message", "suggestion", "fix",
            "fix_start", "fix_end", "policy",
        ]
        assert f["text"] == draft[f["start"]:f["end"]]
        assert set(f["title"]) == set(f["message"]) == set(f["suggestion"]) == {"en", "zh"}
        assert f["policy"] == f["category"]
        assert f["severity"] in ("block", "warn", "info")
        if f["fix"] is None:
            assert f["fix_start"] is None and f["fix_end"] is None
        else:  # the range a one-click fix replaces holds the finding
            assert f["fix_start"] <= f["start"] <= f["end"] <= f["fix_end"]
    json.dumps(d)  # serializable as is
    starts = [(f["start"], f["end"]) for f in d["findings"]]
    assert starts == sorted(starts)


def test_verdicts():
    assert app.check("Thank you, the replacement ships today.").verdict == "ok"
    assert app.check("Thanks 😊").verdict == "review"  # emoji: warn
    assert app.check("Call me on +1 555 123 4567").verdict == "fix"
    info_only = app.check("We wrote to k3x9q2lp1z7@marketplace.amazon.com yesterday.")
    assert {f.severity for f in info_only.findings} == {"info"} and info_only.verdict == "ok"


def test_load_catalogue_and_error_type():
    cat = app.load_catalogue()
    assert isinstance(cat, Catalogue) and cat.rules and "own-terms" in cat.categories
    assert issubclass(app.CatalogueError, ValueError)


def test_validate_own_term_is_available_for_the_page():
    assert validate_own_term("sunnyshop") is None
    err = validate_own_term("ab")
    assert set(err) == {"en", "zh"}


def test_check_attaches_phrase_rewrites():
    draft = "Please contact me on WhatsApp so we can sort it out."
    (f,) = app.check(draft).to_dict()["findings"]
    fixed = draft[: f["fix_start"]] + f["fix"] + draft[f["fix_end"]:]
    assert fixed == "Please reply to this message here so we can sort it out."
    assert app.check(fixed).findings == ()
