"""Phrase rewrites (app/rewrites.toml + app/rewrites.py): the one-click fixes wider than a finding.

Each example gives exactly its `after`; each `after` passes the checker for what the rewrite served;
rewrites never fire on the rules' good examples (nor on clean corpus messages: tests/test_corpus.py); a broken
file names the entry and the fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
from app import engine
from app.catalogue import parse_example
from app.rewrites import SERVED, RewriteError, apply_rewrites, inside_quote, load_rewrites, reported_question
from phrase_fixes import phrase_fixes

ROOT = Path(__file__).resolve().parents[1]
REWRITES = load_rewrites()
EXAMPLES = [(rw.id, before, after) for rw in REWRITES for before, after in rw.examples]
BY_ID = {rw.id: rw for rw in REWRITES}


def applied(text: str, finding) -> str:
    return text[: finding.fix_start] + finding.fix + text[finding.fix_end:]


def served(rw, finding) -> bool:
    return finding.rule in rw.serves or finding.category in rw.serves


@pytest.mark.parametrize("rid, before, after", EXAMPLES, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(EXAMPLES)])
def test_example_gives_exactly_its_after(rid, before, after):
    rw = BY_ID[rid]
    own = engine.check(before)
    assert any(served(rw, f) for f in own.findings), f"the checker flags nothing {rid} serves in {before!r}"
    # This rewrite alone: every finding it serves gets it, and each gives the after.
    only = apply_rewrites(before, own, rewrites=(rw,))
    fixed = [f for f in only.findings if served(rw, f) and f.fix_start is not None]
    assert fixed, f"{rid} offered no fix for {before!r}: {[(f.rule, f.text) for f in own.findings]}"
    assert {applied(before, f) for f in fixed} == {after}
    for f in fixed:
        assert f.fix_start <= f.start and f.end <= f.fix_end  # the rewrite covers the finding
    # Through the public check (all rewrites): the same result.
    report = app.check(before)
    assert {applied(before, f) for f in phrase_fixes(before, report)} == {after}


@pytest.mark.parametrize("rid, before, after", EXAMPLES, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(EXAMPLES)])
def test_after_passes_the_checker_in_its_language(rid, before, after):
    rw = BY_ID[rid]
    categories = {f.category for f in engine.check(before).findings if served(rw, f)}
    report = app.check(after, lang=None if rw.language in ("ja", "zh") else rw.language)
    left = [(f.rule, f.text) for f in report.findings if f.severity in ("block", "warn") and f.category in categories]
    assert left == [], f"{rid}: {after!r} still has {left}"
    assert report.lang == rw.language or rw.language in ("ja", "zh")


def test_each_language_has_both_behaviours():
    kinds = {(rw.id.split(".")[0], rw.language) for rw in REWRITES}
    for lang in ("en", "de", "fr", "es", "it", "ja", "zh"):
        assert ("contact-here", lang) in kinds and ("neutral-review", lang) in kinds, lang


def test_served_index_matches_the_file():
    # app.rewrites.SERVED lets findings of other rules skip the file entirely; it must hold every id served.
    ids = {sid for rw in REWRITES for sid in rw.serves}
    assert all(sid in SERVED or sid.split(".")[0] in SERVED for sid in ids)
    assert load_rewrites(validate_ids=True)  # every served id is a real rule or category


def _rule_examples(kind: str):
    for path in sorted((ROOT / "rules").glob("*.toml")):
        if path.name == "categories.toml":
            continue
        for rule in tomllib.loads(path.read_text("utf-8")).get("rule", []):
            for ex in rule.get(kind, []):
                yield rule["id"], ex


GOOD = list(_rule_examples("good"))
def test_no_rewrite_on_good_examples():
    assert len(GOOD) > 500
    fired = [(rid, ex, [(f.rule, f.fix) for f in phrase_fixes(ex, app.check(ex))]) for rid, ex in GOOD]
    assert [x for x in fired if x[2]] == []


def test_no_rewrite_pattern_matches_a_good_example_of_a_rule_it_serves():
    # Stronger than the above: the phrase itself is not found in the near-misses the rules keep silent.
    hits = []
    for rid, ex in GOOD:
        category = rid.split(".")[0]
        for rw in REWRITES:
            if rid in rw.serves or category in rw.serves:
                for pattern in rw.patterns:
                    for m in pattern.finditer(ex):
                        # a phrase inside the buyer's quoted words or reported question is never rewritten
                        # (app.rewrites.inside_quote, reported_question)
                        if not inside_quote(ex, m.start()) and not reported_question(ex, m.start(), m.end()):
                            hits.append((rw.id, rid, ex, m.group(0)))
    assert hits == []


def test_inside_quote_follows_the_quotation_marks_of_each_language():
    for text, phrase in [
        ('You wrote: "Just text me on WhatsApp." We stay here.', "text me"),
        ("Vous écrivez : « Contactez-moi sur WhatsApp ». Restons ici.", "Contactez"),
        ("Sie schrieben: „Schreiben Sie mir per WhatsApp“. Wir bleiben hier.", "Schreiben Sie mir"),
        ("「LINEで連絡して」とのことですが、こちらでお願いします。", "LINE"),
        # single quotes announced by a colon; the apostrophe of "it's" does not close them
        ("You wrote: 'Just call me, it's easier.' We can only help you here.", "easier"),
    ]:
        assert inside_quote(text, text.index(phrase)), text
    for text, phrase in [
        ('You wrote "thanks". Please text me on WhatsApp.', "text me"),
        ("Sie schrieben „danke“. Schreiben Sie mir per WhatsApp.", "Schreiben Sie mir"),
        ("「了解」とのこと。LINEで連絡して", "LINEで"),
        ("Please text me on WhatsApp.", "text me"),
        ('The 27" monitor is fine, text me on WhatsApp.', "text me"),  # an inch mark opens no quotation
        ("You wrote: 'Just call me.' Fine, call me then.", "Fine"),  # after the closing mark
        ("Note: it's easier if you call me.", "call me"),  # an apostrophe after a colon opens nothing
    ]:
        assert not inside_quote(text, text.index(phrase)), text


def test_reported_question_covers_the_buyers_wish_in_each_language_but_not_the_sellers_answer():
    for text, phrase in [
        ("You asked whether you can message us on WhatsApp.", "message us on WhatsApp"),
        ("You asked us if you could call us directly.", "call us directly"),
        ("Sie haben gefragt, ob Sie uns per WhatsApp schreiben können.", "per WhatsApp"),
        ("Vous nous avez demandé si vous pouviez nous écrire sur WhatsApp.", "nous écrire sur WhatsApp"),
        ("Usted preguntó si puede escribirnos por WhatsApp.", "escribirnos por WhatsApp"),
        ("Ci ha chiesto se può scriverci su WhatsApp.", "scriverci su WhatsApp"),
        ("您问能否通过微信联系我们。", "通过微信联系我们"),
        ("LINEで連絡できるかとのお問い合わせですが、こちらでお願いします。", "LINEで連絡"),
    ]:
        at = text.index(phrase)
        assert reported_question(text, at, at + len(phrase)), text
    for text, phrase in [
        ("Please message us on WhatsApp.", "message us on WhatsApp"),
        ("You asked if you can pay by card: yes, and message us on WhatsApp for that.", "message us on WhatsApp"),
        ("You asked about the size, but message us on WhatsApp for that.", "message us on WhatsApp"),
        ("Sie haben gefragt, ob es passt. Schreiben Sie uns per WhatsApp.", "per WhatsApp"),
        ("LINEで連絡してください。", "LINEで連絡"),
    ]:
        at = text.index(phrase)
        assert not reported_question(text, at, at + len(phrase)), text


def test_a_reported_question_is_not_rewritten_but_the_sellers_own_invitation_is():
    reported = "You asked whether you can message us on WhatsApp. That number belongs to the manufacturer."
    assert phrase_fixes(reported, app.check(reported)) == []
    own = "Please message us on WhatsApp at +44 7700 900123."
    assert phrase_fixes(own, app.check(own)) != []


def test_a_quoted_buyer_phrase_is_not_rewritten_but_the_sellers_own_is():
    quoted = 'You wrote: "Just text me on WhatsApp." Fine, text me on WhatsApp then.'
    report = app.check(quoted)
    fixes = phrase_fixes(quoted, report)
    assert fixes, "the seller's own invitation must still be flagged and rewritten"
    assert all(f.fix_start >= quoted.index("Fine") for f in fixes), [(f.rule, f.fix_start, f.fix) for f in fixes]


def test_phrase_and_own_fix_share_the_range():
    draft = "Please contact me on WhatsApp +44 7700 900123 so we can sort it out."
    report = app.check(draft)
    by_rule = {f.rule: f for f in report.findings}
    app_finding, phone = by_rule["off-platform.messenger-app"], by_rule["contact-details.phone"]
    assert (app_finding.fix, app_finding.fix_start, app_finding.fix_end) == (phone.fix, phone.fix_start, phone.fix_end)
    assert draft[app_finding.fix_start:app_finding.fix_end] == "contact me on WhatsApp +44 7700 900123"
    d = report.to_dict()["findings"]
    assert all(f["fix_start"] == app_finding.fix_start and f["fix_end"] == app_finding.fix_end for f in d)


def test_rule_fixes_keep_their_own_span():
    draft = "Thanks for the order 😊 see you"
    (emoji,) = [f for f in app.check(draft).findings if f.category == "emoji"]
    d = emoji.to_dict()
    assert d["fix"] == "" and (d["fix_start"], d["fix_end"]) == (emoji.start, emoji.end)


def test_no_phrase_fix_when_the_sentence_is_not_only_the_request():
    # The pattern must cover the request and nothing the seller needs: here the order number ends the clause.
    draft = "Leave 5 stars and we refund you for order 123-1234567-1234567."
    report = app.check(draft)
    assert report.findings and phrase_fixes(draft, report) == []


def test_offsets_are_code_points_after_astral_characters():
    draft = "😀😀 Please contact me on WhatsApp so we can sort it out."
    report = app.check(draft)
    (f,) = [f for f in report.findings if f.rule == "off-platform.messenger-app"]
    assert draft[f.fix_start:f.fix_end] == "contact me on WhatsApp"


def test_findings_of_other_rules_cost_nothing(monkeypatch):
    import app.rewrites as rewrites

    monkeypatch.setattr(rewrites, "_default", None)
    report = app.check("Thanks 😊 the parcel ships today.")
    assert report.findings and rewrites._default is None  # the file was not even read


def test_bad_examples_coverage_is_measured():
    """How many of the served rules' bad examples get a phrase fix (reported, with a floor)."""
    served_rules = {sid for rw in REWRITES for sid in rw.serves if "." in sid}
    total = fixed = 0
    for rid, ex in _rule_examples("bad"):
        if rid in served_rules and not rid.startswith("contact-details"):
            text, _ = parse_example(ex)
            total += 1
            fixed += bool(phrase_fixes(text, app.check(text)))
    assert total > 100
    # 449 of 1,789 (0.251) before round 54, 449 of 1,798 after it: its nine new bad examples of
    # off-platform.direct-contact are leak guards (staff or a shop handling orders 'directly at' their own number)
    # that no phrase rewrite serves; the floor sits just under the measured share
    assert fixed / total >= 0.24, f"{fixed}/{total}"


BROKEN = [
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["(x"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': pattern 1: does not compile"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "xx"\npatterns = ["x"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': unknown language 'xx' — fix: use one of en de fr es it ja zh"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["{{nope}}"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': pattern 1: unknown fragment {{nope}} — fix: declare nope in [fragments]"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["no-such-rule"]\nlanguage = "en"\npatterns = ["x"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': serves unknown rule or category no-such-rule — fix: use an id from rules/"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["x"]\n'
     'replacement = "y"\n',
     "rewrite 'a.en': missing examples — fix: add it"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["x"]\nreplacement = "y"\n'
     'examples = [{ before = "x", after = "y" }]\nfix = "z"\n',
     "rewrite 'a.en': unknown key fix — fix: use only"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["x?"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': pattern 1: matches empty text"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["x"]\n'
     'replacement = "y"\nexamples = [{ before = "x" }]\n',
     "rewrite 'a.en': examples must be a non-empty list"),
    ('[[rewrite]]\nid = "a.en"\nserves = ["off-platform"]\nlanguage = "en"\npatterns = ["x"]\n'
     'replacement = "y"\nexamples = [{ before = "x", after = "y" }]\n[[rewrite]]\nid = "a.en"\n'
     'serves = ["off-platform"]\nlanguage = "en"\npatterns = ["x"]\nreplacement = "y"\n'
     'examples = [{ before = "x", after = "y" }]\n',
     "rewrite 'a.en': duplicate id — fix: give each rewrite its own id"),
]


@pytest.mark.parametrize("body, message", BROKEN)
def test_broken_file_names_the_entry_and_the_fix(tmp_path, body, message):
    path = tmp_path / "rewrites.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(RewriteError, match=re.escape(message)) as err:
        load_rewrites(path)
    assert str(err.value).startswith(str(path))


_PIECES = ["Please", "contact", "me", "on", "WhatsApp", "+44 7700 900123", "leave", "5 stars", "and", "we", "refund",
           "you", ",", ".", "review", "if", "123-1234567-1234567", "😀", "加我微信", "五星好评返现", "LINEでご連絡ください",
           "Schreiben Sie uns per", "Contactez-nous sur", "jo@gmail.com", "\n", "sorry"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join))
def test_fix_ranges_are_sound_on_any_mix(text):
    for f in app.check(text).findings:
        if f.fix_start is not None:
            assert 0 <= f.fix_start <= f.start < f.end <= f.fix_end <= len(text)
            assert f.fix and f.fix.strip() == f.fix


@pytest.mark.parametrize("draft", [
    "Suivez-nous sur Instagram @atelier_cosy pour découvrir nos nouveautés.",  # follow us: not a reply request
    "You can find us on TikTok as @homegoods, send a DM there.",
    "Bonjour, c'est remboursé. (备注:叫他加微信,我们私下再补偿)",  # a note about the buyer, not a request to them
    "抱歉，我们不能使用微信沟通，请直接在亚马逊消息中回复。",
])
def test_no_phrase_fix_where_the_replacement_would_not_fit(draft):
    assert phrase_fixes(draft, app.check(draft)) == []


def test_the_sentence_cache_answers_as_the_sentence_search_does():
    """``_sentence_cached`` reads only a window around the finding; on any text and span it must give what
    ``_sentence`` gives on the whole text (sentence ends at the window's edges included)."""
    import random

    from app import rewrites

    rnd = random.Random(5)
    alphabet = ["a", "b", " ", "\n", ".", "!", "?", "…", "。", "x. ", ". y", "  "]
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 1800)))
        start = rnd.randrange(len(text))
        end = min(len(text), start + rnd.randint(1, 30))
        rewrites._SENTENCES.clear() if rnd.random() < 0.1 else None
        assert rewrites._sentence_cached(text, start, end) == rewrites._sentence(text, start, end), (start, end)


def test_apply_fixes_replaces_each_fix_range_once():
    """Every fix replaces its own range (a rewrite's may be wider than its finding), from the end backwards; a fix
    overlapping one already applied is skipped, and a finding without a fix is left alone."""
    from app.report import Finding, apply_fixes

    text = "Call me on WhatsApp +44 7700 900123, or mail bob@example.com today."

    def finding(word, fix, wider=None):
        s = text.index(word)
        f = Finding("r", "c", "block", s, s + len(word), word, {}, {}, {}, fix=fix)
        if wider is not None:
            a = text.index(wider)
            f = Finding("r", "c", "block", s, s + len(word), word, {}, {}, {}, fix=fix, fix_start=a, fix_end=a + len(wider))
        return f

    rewrite = finding("WhatsApp", "reply here", wider="Call me on WhatsApp +44 7700 900123")
    phone = finding("+44 7700 900123", "")  # inside the rewrite's range: skipped
    mail = finding("bob@example.com", "[email]")
    plain = finding("today", None)
    assert apply_fixes(text, [mail, phone, plain, rewrite]) == "reply here, or mail [email] today."
    assert apply_fixes(text, []) == text
