"""Every example of every rule in rules/*.toml is a test.

How spans are compared (the contract rule authors rely on): a bad example's ``[[…]]`` marks are removed,
the plain text is checked with ``app.check`` (language detected, as for a real draft), and the findings
of THAT rule must sit exactly on the marked spans: for each mark a finding with the same ``start`` and
``end`` (code points in the plain text), and no finding of that rule anywhere else. The span is what the
rule's pattern matched (or its ``hit`` group), mapped back to the draft and merged with overlapping hits
of the same rule (app/engine.py). A good example must produce no finding of that rule, and, separately
reported, no block/warn finding of any rule.
"""

from __future__ import annotations

import pytest

import app
from app.catalogue import CatalogueError, load_catalogue, parse_example

try:
    CATALOGUE = load_catalogue()
    LOAD_ERROR = None
except CatalogueError as e:  # reported by test_catalogue_loads; the walks below are then empty
    CATALOGUE = None
    LOAD_ERROR = e

RULES = list(CATALOGUE.rules) if CATALOGUE else []
BAD = [pytest.param(r, i, ex, id=f"{r.id}-bad{i}") for r in RULES for i, ex in enumerate(r.bad)]
GOOD = [pytest.param(r, i, ex, id=f"{r.id}-good{i}") for r in RULES for i, ex in enumerate(r.good)]


def _describe(report, text: str) -> str:
    if not report.findings:
        return "  (no findings at all)"
    return "\n".join(
        f"  {f.rule} [{f.severity}] {f.start}:{f.end} {text[f.start:f.end]!r}" for f in report.findings
    )


def test_catalogue_loads():
    assert LOAD_ERROR is None, f"the rule catalogue does not load:\n{LOAD_ERROR}"
    assert RULES, "the catalogue has no rules"


def test_every_rule_has_bad_and_good_examples():
    missing = [r.id for r in RULES if not r.bad or not r.good]
    assert not missing, f"rules without a bad or a good example: {missing}"


@pytest.mark.parametrize("rule,i,example", BAD)
def test_bad_example_is_flagged_exactly(rule, i, example):
    text, spans = parse_example(example)
    report = app.check(text)
    got = sorted((f.start, f.end) for f in report.findings if f.rule == rule.id)
    want = sorted(spans)
    missing = [s for s in want if s not in got]
    extra = [s for s in got if s not in want]
    if missing:
        pytest.fail(
            f"false negative in rule {rule.id} ({rule.file}), bad[{i}]: {example!r}\n"
            f"  expected spans {[text[a:b] for a, b in missing]} at {missing}; detected lang {report.lang!r}\n"
            f"findings:\n{_describe(report, text)}"
        )
    if extra:
        pytest.fail(
            f"rule {rule.id} ({rule.file}), bad[{i}] flags unmarked text {[text[a:b] for a, b in extra]} "
            f"at {extra}: {example!r}\n  mark it with [[…]] or narrow the pattern\n"
            f"findings:\n{_describe(report, text)}"
        )


@pytest.mark.parametrize("rule,i,example", GOOD)
def test_good_example_is_silent_for_its_rule(rule, i, example):
    report = app.check(example)
    hits = [f for f in report.findings if f.rule == rule.id]
    assert not hits, (
        f"false positive in rule {rule.id} ({rule.file}), good[{i}]: {example!r}\n"
        f"findings:\n{_describe(report, example)}"
    )


@pytest.mark.parametrize("rule,i,example", GOOD)
def test_good_example_has_no_block_or_warn(rule, i, example):
    report = app.check(example)
    loud = [f for f in report.findings if f.severity in ("block", "warn")]
    assert not loud, (
        f"good[{i}] of rule {rule.id} ({rule.file}) is flagged by other rules: {example!r}\n"
        f"findings:\n{_describe(report, example)}"
    )


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RULES])
def test_suggestion_passes_the_checker(rule):
    for lang in ("en", "zh"):
        text = rule.suggestion[lang]
        report = app.check(text)
        loud = [f for f in report.findings if f.severity in ("block", "warn")]
        assert not loud, (
            f"the {lang} suggestion of rule {rule.id} ({rule.file}) is itself flagged: {text!r}\n"
            f"findings:\n{_describe(report, text)}"
        )


def _apply_fixes(text: str, findings) -> str:
    out = text
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        if f.fix is not None:
            out = out[: f.start] + f.fix + out[f.end :]
    return out


FIXABLE = [pytest.param(r, i, ex, id=f"{r.id}-fix{i}") for r in RULES if r.fix is not None for i, ex in enumerate(r.bad)]


@pytest.mark.parametrize("rule,i,example", FIXABLE)
def test_fixed_bad_example_passes(rule, i, example):
    """One-click fixes must leave a message the checker accepts (for what the fixes touched)."""
    text, _ = parse_example(example)
    before = app.check(text)
    unfixable = {f.rule for f in before.findings if f.fix is None}
    fixed = _apply_fixes(text, before.findings)
    after = app.check(fixed)
    left = [
        f
        for f in after.findings
        if f.rule == rule.id or (f.severity in ("block", "warn") and f.rule not in unfixable)
    ]
    assert not left, (
        f"bad[{i}] of rule {rule.id} ({rule.file}) still fails after its fixes: {fixed!r}\n"
        f"findings:\n{_describe(after, fixed)}"
    )

