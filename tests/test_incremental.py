"""Incremental checking and the compiled catalogue change no result.

- ``app.check`` keeps the hits of each piece of a draft in a cache (app/engine.py): a check served from the
  cache must equal a check from scratch (``incremental=False``, with the validated TOML catalogue), on a
  sixth of the corpus, on every rule example, on drafts typed character by character and on random edit sequences
  (hypothesis). A keystroke's check (``settle=False``) may show the piece before the one typed from its last
  check; the settling check after it must again equal the check from scratch.
- The compiled catalogue (``compile_catalogue`` → ``load_compiled``, what the page loads) gives the same
  findings as the validated TOML catalogue, is deterministic, and compiles patterns only when a draft needs
  them.
"""

from __future__ import annotations

import functools
import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
from app.catalogue import (
    COMPILED_NAME,
    compile_catalogue,
    load_catalogue,
    load_compiled,
    load_default,
    parse_example,
)
from app.engine import check, clear_cache, default_catalogue

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


CORPUS = _corpus()
CATALOGUE = load_catalogue()
EXAMPLES = [parse_example(ex)[0] for r in CATALOGUE.rules for ex in (*r.bad, *r.good)]


def _shape(report) -> tuple:
    return report.to_dict(), [dict(r) for r in report.reminders]


@functools.lru_cache(maxsize=None)
def _fresh(text: str, lang: str | None = None, own_terms: tuple[str, ...] = ()) -> tuple:
    """The check from scratch with the validated TOML catalogue, worked out once per text: the cached checks
    and the compiled catalogue below are both compared with it (it cost as much as all the rest of this file)."""
    return _shape(check(text, catalogue=CATALOGUE, incremental=False, lang=lang, own_terms=own_terms))


def _same(text: str, **kw) -> None:
    cached = check(text, **kw)
    assert _shape(cached) == _fresh(text, **kw), text


def test_corpus_and_examples_cached_equal_fresh():
    """Every rule example and every sixth corpus message (each language and author set: the files are walked in
    order), from a cold cache; then a sample again, served from the cache, with a language and own terms. The
    whole corpus took 470 s of CI's 25 minutes; a third took 436 s of 31 minutes on 2026-12-06 with a corpus
    twice as large, so a sixth (5,489 messages); the drafts below mix its messages."""
    clear_cache()
    for text in CORPUS[::6] + EXAMPLES:
        _same(text)
    # A second pass is served from the cache.
    for text in CORPUS[::24]:
        _same(text)
        _same(text, lang="de")
        _same(text, own_terms=("bestshop", "+1 555 123 4567"))


def _drafts(seed: int, n: int, seps=("\n", "\n\n", " ", ". ", "。", "")) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = rnd.sample(CORPUS, rnd.randint(2, 8))
        out.append("".join(p + rnd.choice(seps) for p in parts))
    return out


def test_typing_a_draft_character_by_character():
    clear_cache()
    draft = _drafts(1, 1)[0][:700]
    for i in range(1, len(draft) + 1, 3):
        _same(draft[:i])


def _quick_then_settled(text: str):
    """A keystroke's check (``settle=False``), then the settling one; the settled report is the one from
    scratch, and the quick one is sound (spans in bounds, equal to their text) and equal to it when it
    says it is settled."""
    quick = check(text, settle=False)
    assert all(text[f.start:f.end] == f.text for f in quick.findings), text
    settled = check(text)
    assert settled.settled
    assert _shape(settled) == _shape(check(text, incremental=False)), text
    if quick.settled:
        assert _shape(quick) == _shape(settled), text
    return quick, settled


def test_typing_without_settling_then_settling_gives_the_result_from_scratch():
    """The page's keystroke check leaves the piece before the one typed in to the next frame's check."""
    clear_cache()
    draft = _drafts(1, 1)[0][:700]
    left = checks = 0
    for i in range(1, len(draft) + 1, 2):
        quick, _ = _quick_then_settled(draft[:i])
        left += not quick.settled
        checks += 1
    assert left > checks // 4  # many keystrokes had a piece before them to leave for later


def test_keys_typed_faster_than_settling_then_one_settle():
    """Several keystrokes, none settled (typing faster than the frames), then one settling check."""
    rnd = random.Random(11)
    for draft in _drafts(2, 6):
        clear_cache()
        i = 0
        while i < len(draft):
            i = min(len(draft), i + rnd.randint(1, 40))
            for j in range(max(1, i - 5), i + 1):
                quick = check(draft[:j], settle=False)
                assert all(draft[:j][f.start:f.end] == f.text for f in quick.findings)
            _quick_then_settled(draft[:i])


def test_a_match_into_the_piece_being_typed_waits_for_settling_and_then_stays():
    """A finding that starts in the piece before and runs into the one being typed is not in the keystroke's
    report until the settling check finds it; typing on at the end then keeps it (no flicker)."""
    clear_cache()
    first = "Could you write a review of the lamp? "
    second = "In return, we'll send you a free spare"
    rule = "review-manipulation.incentive-for-review"
    check(first)  # the first sentence was checked while it was the last piece
    quick = check(first + second, settle=False)
    assert not quick.settled
    assert rule not in {f.rule for f in quick.findings}
    settled = check(first + second)
    crossing = [f for f in settled.findings if f.rule == rule and f.start < len(first) < f.end]
    assert crossing, [(f.rule, f.text) for f in settled.findings]
    for tail in (" ", " p", " part", " part."):
        quick = check(first + second + tail, settle=False)
        assert crossing[0] in quick.findings, tail


def test_random_edits_of_multilingual_drafts():
    rnd = random.Random(5)
    alphabet = "abc xyz. 。!?\n@1 whatsapp telegram 微信 好评 5 stars refund"
    for draft in _drafts(2, 12):
        clear_cache() if rnd.random() < 0.3 else None
        for _ in range(25):
            i = rnd.randrange(len(draft) + 1)
            op = rnd.random()
            if op < 0.5:
                k = rnd.randrange(len(alphabet))
                draft = draft[:i] + alphabet[k:k + rnd.randint(1, 9)] + draft[i:]
            elif op < 0.8:
                draft = draft[:i] + draft[i + rnd.randint(1, 12):]
            else:
                draft = draft[:i] + rnd.choice(CORPUS) + " " + draft[i:]
            _same(draft)


_pieces = st.sampled_from(
    ["Add me on WhatsApp", "+1 555 123 4567", "john at gmail dot com", "Thank you for your order", ". ", "\n",
     "。", "微信", "好评返现", "leave a 5-star review", " ", "w h a t s a p p", "www.shop.com", "!", "Telegram",
     "@handle_12", "refund if you remove the review", "idiot", "Vielen Dank", "ご注文ありがとうございます", "😀",
     "If you are HAPPY, leave a review!", "ıf you are happy", "LINE ID: shop_1", "Not satisfied? Contact us.",
     "1\u20e3", "Thank you for your order!"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(_pieces, min_size=1, max_size=12).map("".join),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 6), st.one_of(_pieces, st.text(max_size=4))), max_size=8
    ),
)
def test_edit_sequences_give_the_result_from_scratch(base, edits):
    draft = base
    _same(draft)
    for pos, cut, insert in edits:
        pos = min(pos, len(draft))
        draft = draft[:pos] + insert + draft[pos + cut:]
        _same(draft)


def test_bounded_word_index_changes_no_result(monkeypatch):
    # Literals are looked up per white-space-free token and remembered (bounded): a memo that forgets at
    # every token, or keeps no token at all, gives the same reports.
    import app.engine as engine

    texts = CORPUS[::12] + EXAMPLES[::17] + _drafts(3, 3)
    want = [_fresh(t) for t in texts]  # the TOML catalogue's reports, mostly worked out by the test above
    plan = engine._plan_for(default_catalogue())
    for size, length in ((1, 40), (50000, 0)):
        monkeypatch.setattr(engine, "_TOKEN_MEMO_SIZE", size)
        monkeypatch.setattr(engine, "_TOKEN_MEMO_LEN", length)
        plan.views.memo.clear()
        assert [_shape(check(t, incremental=False)) for t in texts] == want
        assert len(plan.views.memo) <= size


def test_cache_is_bounded(monkeypatch):
    from app.engine import _CACHE_SIZE, _plan_for

    plan = _plan_for(default_catalogue())
    for i in range(_CACHE_SIZE // 3 + 50):
        check(f"Order {i} shipped today, thank you very much. Tracking follows.")
    assert len(plan.cache.data) <= _CACHE_SIZE
    assert plan.cache.held == sum(c for _, c in plan.cache.data.values())
    monkeypatch.setattr(plan.cache, "chars", 5000)
    for i in range(300):
        check(f"Order {i} shipped today, thank you very much. Tracking follows.")
    assert plan.cache.held <= 5000


# ------------------------------------------------------------------------------------ compiled catalogue


def test_compiled_catalogue_round_trips_and_is_deterministic(tmp_path):
    d = tmp_path / "rules"  # a frozen copy: rules/ may be edited while the suite runs
    shutil.copytree(ROOT / "rules", d, ignore=shutil.ignore_patterns(COMPILED_NAME))
    cat = load_catalogue(d)
    data = compile_catalogue(cat)
    assert data == compile_catalogue(load_catalogue(d))
    again = load_compiled(data)
    assert compile_catalogue(again, digest=json.loads(data)["digest"]) == data
    assert [r.id for r in again.rules] == [r.id for r in cat.rules]
    assert again.rules == cat.rules


def test_compiled_catalogue_gives_the_same_findings():
    compiled = load_compiled(compile_catalogue(CATALOGUE))
    for text in CORPUS[::6] + EXAMPLES[::5]:
        b = check(text, catalogue=compiled)
        assert _fresh(text) == _shape(b), text


def test_patterns_compile_on_first_use():
    compiled = load_compiled(compile_catalogue(CATALOGUE))

    def count() -> int:
        return sum(pl.compiled_count() for r in compiled.rules for pl in (r.patterns, r.near, r.unless))

    assert count() == 0
    check("", catalogue=compiled)
    assert count() == 0
    check("Add me on WhatsApp, thanks!", catalogue=compiled)
    total = sum(len(pl) for r in compiled.rules for pl in (r.patterns, r.near, r.unless))
    assert count() < total // 4


def test_load_default_uses_a_fresh_compiled_file_and_ignores_a_stale_one(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d, ignore=shutil.ignore_patterns(COMPILED_NAME))
    cat = load_catalogue(d)
    (d / COMPILED_NAME).write_bytes(compile_catalogue(cat))
    loaded = load_default(d)
    assert all(r.patterns.compiled_count() == 0 for r in loaded.rules)  # the compiled file, trusted
    # Next to changed TOML the compiled file is stale: the validating loader runs instead.
    path = d / "emoji.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert all(len(r.patterns) == r.patterns.compiled_count() for r in load_default(d).rules)
    # Without TOML files (a page built without them) the compiled file is all there is.
    for p in d.glob("*.toml"):
        p.unlink()
    assert [r.id for r in load_default(d).rules] == [r.id for r in cat.rules]
    # A corrupt file never hides the TOML: the error names the file.
    with pytest.raises(app.CatalogueError, match=COMPILED_NAME):
        load_compiled(b"{}")


def test_the_repository_s_rules_are_validated_once_then_loaded_from_the_cache(tmp_path, monkeypatch):
    """Without a compiled file beside them (a checkout), the repository's rules are validated once and kept
    compiled in <repo>/.cache; the next process loads that instead (the command line starts in ~1 s, not
    ~12 s). Changed TOML is validated again; a corrupt cache file is passed over."""
    from app import catalogue as catalogue_module

    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d, ignore=shutil.ignore_patterns(COMPILED_NAME))
    monkeypatch.setattr(catalogue_module, "default_rules_dir", lambda: d)
    validated = []
    real_load = catalogue_module.load_catalogue
    monkeypatch.setattr(catalogue_module, "load_catalogue", lambda rd: validated.append(rd) or real_load(rd))

    first = load_default(d)
    (cached,) = (tmp_path / ".cache").glob("catalogue-*.json")
    assert validated == [d] and first.rules == real_load(d).rules
    again = load_default(d)  # as a new process would: from the cache, nothing validated
    assert validated == [d] and again.rules == first.rules
    assert all(r.patterns.compiled_count() == 0 for r in again.rules)

    path = d / "emoji.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    load_default(d)
    assert validated == [d, d]
    (newer,) = (tmp_path / ".cache").glob("catalogue-*.json")  # the stale entry is gone
    assert newer != cached

    newer.write_bytes(b"{ not json")
    assert [r.id for r in load_default(d).rules] == [r.id for r in first.rules]
    assert validated == [d, d, d]


def test_prepare_in_steps_then_check_gives_the_result_from_scratch(monkeypatch):
    """The page checks a long paste in frame-sized steps (``engine.prepare``), then asks for the report: it
    must be the report from scratch, and the steps must actually fill the cache the report is read from."""
    from app import engine

    rnd = random.Random(11)
    drafts = _drafts(21, 4) + ["\n\n".join(rnd.sample(CORPUS, 40))]
    for draft in drafts:
        for kw in ({}, {"own_terms": ("bestshop",)}, {"lang": "fr"}):
            clear_cache()
            start, steps = rnd.randrange(0, max(1, len(draft) // 3)), 0
            pos = start
            while pos < len(draft):
                nxt = engine.prepare(draft, start=pos, chars=rnd.choice((1, 300, 2000)), **kw)
                assert nxt > pos or nxt == len(draft), "prepare must make progress"
                pos, steps = nxt, steps + 1
            assert steps >= 1
            scanned = []
            monkeypatch.setattr(engine, "_scan", lambda *a, _real=engine._scan: scanned.append(1) or _real(*a))
            report = check(draft, **kw)
            monkeypatch.undo()
            # Only pieces before `start` (never prepared) may still need a scan.
            before = sum(1 for _ in engine._pieces(draft[:start])) + 1
            assert len(scanned) <= before, (len(scanned), before)
            assert _shape(report) == _shape(check(draft, incremental=False, **kw)), draft[:200]
    assert engine.prepare("", start=0) == 0
    with pytest.raises(ValueError):
        engine.prepare("text", lang="xx")
