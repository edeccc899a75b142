"""Every example of every rule in rules/*.toml is checked: one test per rule and kind walks all its examples and
names every one that fails.

How spans are compared (the contract rule authors rely on): a bad example's ``[[…]]`` marks are removed,
the plain text is checked with ``app.check`` (language detected, as for a real draft), and the findings
of THAT rule must sit exactly on the marked spans: for each mark a finding with the same ``start`` and
``end`` (code points in the plain text), and no finding of that rule anywhere else. The span is what the
rule's pattern matched (or its ``hit`` group), mapped back to the draft and merged with overlapping hits
of the same rule (app/engine.py). A good example must produce no finding of that rule, and, separately
reported, no block/warn finding of any rule.
"""

from __future__ import annotations

import functools

import pytest

import app
from app.catalogue import CatalogueError, load_catalogue, parse_example
from app.report import apply_fixes

try:
    CATALOGUE = load_catalogue()
    LOAD_ERROR = None
except CatalogueError as e:  # reported by test_catalogue_loads; the walks below are then empty
    CATALOGUE = None
    LOAD_ERROR = e

RULES = list(CATALOGUE.rules) if CATALOGUE else []
# One test per rule walks all of that rule's examples and lists every failing one (a test per example cost
# more in pytest's own bookkeeping than in checking: ~24,000 tests). `-k <rule id>` still picks one rule.
BY_RULE = [pytest.param(r, id=r.id) for r in RULES]


@functools.lru_cache(maxsize=None)
def _check(text: str):
    """An example is asked more than one question (a good one: its rule silent, nothing at block/warn; a bad
    one: its spans, and what its fixes leave): check it once."""
    return app.check(text)


def _fail_all(rule, kind: str, failures: list[str], total: int) -> None:
    if failures:
        head = f"{len(failures)} of {total} {kind} examples of rule {rule.id} ({rule.file}) fail:"
        pytest.fail(head + "\n\n" + "\n\n".join(failures), pytrace=False)


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


@pytest.mark.parametrize("rule", BY_RULE)
def test_bad_examples_are_flagged_exactly(rule):
    failures = []
    for i, example in enumerate(rule.bad):
        text, spans = parse_example(example)
        report = _check(text)
        got = sorted((f.start, f.end) for f in report.findings if f.rule == rule.id)
        want = sorted(spans)
        missing = [s for s in want if s not in got]
        extra = [s for s in got if s not in want]
        if missing:
            failures.append(
                f"false negative in rule {rule.id} ({rule.file}), bad[{i}]: {example!r}\n"
                f"  expected spans {[text[a:b] for a, b in missing]} at {missing}; detected lang {report.lang!r}\n"
                f"findings:\n{_describe(report, text)}"
            )
        elif extra:
            failures.append(
                f"rule {rule.id} ({rule.file}), bad[{i}] flags unmarked text {[text[a:b] for a, b in extra]} "
                f"at {extra}: {example!r}\n  mark it with [[…]] or narrow the pattern\n"
                f"findings:\n{_describe(report, text)}"
            )
    _fail_all(rule, "bad", failures, len(rule.bad))


def _walk_good(rule, flagged, headline: str) -> None:
    """Fail with every good example of ``rule`` whose report ``flagged`` accepts (``headline`` names it)."""
    failures = []
    for i, example in enumerate(rule.good):
        report = _check(example)
        if flagged(report):
            failures.append(f"{headline.format(i=i)}: {example!r}\nfindings:\n{_describe(report, example)}")
    _fail_all(rule, "good", failures, len(rule.good))


@pytest.mark.parametrize("rule", BY_RULE)
def test_good_examples_are_silent_for_their_rule(rule):
    _walk_good(rule, lambda report: any(f.rule == rule.id for f in report.findings),
               f"false positive in rule {rule.id} ({rule.file}), good[{{i}}]")


@pytest.mark.parametrize("rule", BY_RULE)
def test_good_examples_have_no_block_or_warn(rule):
    _walk_good(rule, lambda report: any(f.severity in ("block", "warn") for f in report.findings),
               f"good[{{i}}] of rule {rule.id} ({rule.file}) is flagged by other rules")


@pytest.mark.parametrize("rule", BY_RULE)
def test_suggestion_passes_the_checker(rule):
    for lang in ("en", "zh"):
        text = rule.suggestion[lang]
        report = app.check(text)
        loud = [f for f in report.findings if f.severity in ("block", "warn")]
        assert not loud, (
            f"the {lang} suggestion of rule {rule.id} ({rule.file}) is itself flagged: {text!r}\n"
            f"findings:\n{_describe(report, text)}"
        )


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RULES if r.fix is not None])
def test_fixed_bad_examples_pass(rule):
    """One-click fixes must leave a message the checker accepts (for what the fixes touched)."""
    failures = []
    for i, example in enumerate(rule.bad):
        text, _ = parse_example(example)
        before = _check(text)
        unfixable = {f.rule for f in before.findings if f.fix is None}
        fixed = apply_fixes(text, before.findings)
        after = app.check(fixed)
        left = [
            f
            for f in after.findings
            if f.rule == rule.id or (f.severity in ("block", "warn") and f.rule not in unfixable)
        ]
        if left:
            failures.append(
                f"bad[{i}] of rule {rule.id} ({rule.file}) still fails after its fixes: {fixed!r}\n"
                f"findings:\n{_describe(after, fixed)}"
            )
    _fail_all(rule, "bad", failures, len(rule.bad))
