"""The appeal view's pure parts on CPython: editing the form (app.appeal.state) and its HTML (app.appeal.render).

The browser layer (app/page_appeal.py) only moves values between the DOM and these functions, so what a click
or a keystroke does to the form, and what the seller then sees, is decided and tested here.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from app.appeal import compose_plan, form_schema, state, validate_form
from app.appeal.render import (
    OWN_ROLE,
    control_id,
    place_errors,
    plan_file_name,
    render_check_summary,
    render_form,
    render_phrases,
    render_plan,
    render_plan_check,
    render_shell,
    render_status,
)
from app.ui_text import ui_text

from test_appeal import MESSAGE, PHRASE, TODAY, complete_form, fake_check

ZH = ui_text("zh")
EN = ui_text("en")
HOSTILE = '<img src=x onerror="alert(1)"> & <script>x</script>'


class Collect(HTMLParser):
    """Elements with their attributes, and the text, of an HTML fragment; fails on unbalanced tags."""

    VOID = {"input", "br", "img"}

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> Collect:
    parser = Collect()
    parser.feed(fragment)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


def paths(fragment: str) -> set[str]:
    return {a["data-path"] for _, a in parse(fragment).elements if "data-path" in a}


# --- state: what the controls do to the form ------------------------------------------------------------


def test_paths_round_trip_and_bad_paths_are_refused():
    form = state.empty_form()
    state.add_entry(form, "messages")
    state.add_entry(form, "causes", "untrained-staff")
    assert state.set_value(form, "orders", "113-4567890-1234567")
    assert state.set_value(form, "messages[0].text", MESSAGE)
    assert state.set_value(form, "causes[0].role", "customer-service-agent")
    assert state.get_value(form, "causes[0].role") == "customer-service-agent"
    assert not state.set_value(form, "causes[0].name", "x")  # not a field of this kind
    assert not state.set_value(form, "causes[3].details", "x")  # no such entry
    assert not state.set_value(form, "messages[0].phrases", "x")  # phrases change by toggling only
    with pytest.raises(ValueError):
        state.parse_path("causes[0]")
    with pytest.raises(ValueError):
        state.add_entry(form, "causes", "no-such-kind")
    assert form["causes"] == [{"kind": "untrained-staff", "role": "customer-service-agent"}]


def test_behaviours_keep_schema_order_and_remove_entry():
    form = state.empty_form()
    state.set_behaviour(form, "review-compensation", True)
    state.set_behaviour(form, "abusive", True)
    state.set_behaviour(form, "abusive", True)
    assert form["behaviours"] == ["abusive", "review-compensation"]
    state.set_behaviour(form, "abusive", False)
    assert form["behaviours"] == ["review-compensation"]
    state.add_entry(form, "measures", "training")
    state.add_entry(form, "measures", "pre-send-check")
    assert state.remove_entry(form, "measures", 0) and [m["kind"] for m in form["measures"]] == ["pre-send-check"]
    assert not state.remove_entry(form, "measures", 5)
    assert not state.remove_entry(form, "behaviours", 0)


@pytest.mark.parametrize("junk", [None, 3, "x", [], {"behaviours": "abusive", "messages": [1, {"text": 5}],
                                                     "causes": [{"kind": "nope"}, {"kind": "other", "details": 7}],
                                                     "orders": ["113-4567890-1234567", 4], "extra": 1}])
def test_normalize_form_survives_anything_from_storage(junk):
    form = state.normalize_form(junk)
    assert set(form) == set(state.empty_form())
    assert validate_form(form, today=TODAY, check=fake_check)  # incomplete, but reported, not raised
    compose_plan(form, check=fake_check)


def test_normalize_form_keeps_a_complete_form():
    form = complete_form()
    assert validate_form(state.normalize_form(form), today=TODAY, check=fake_check) == []
    assert compose_plan(state.normalize_form(form), check=fake_check) == compose_plan(form, check=fake_check)


def test_phrases_default_to_the_flagged_ones_and_toggle_without_going_empty():
    form = state.empty_form()
    state.add_entry(form, "messages")
    state.set_value(form, "messages[0].text", MESSAGE + " You idiot.")
    choices = state.phrase_choices(form["messages"][0], check=fake_check)
    assert [(c["text"], c["selected"]) for c in choices] == [(PHRASE, True), ("idiot", True)]
    assert state.toggle_phrase(form, 0, "idiot", check=fake_check)
    assert form["messages"][0]["phrases"] == [PHRASE]
    assert not state.toggle_phrase(form, 0, PHRASE, check=fake_check)  # the last one stays
    assert not state.toggle_phrase(form, 0, "not offered", check=fake_check)
    assert state.add_phrase(form, 0, " Best, Anna ", check=fake_check)
    assert form["messages"][0]["phrases"] == [PHRASE, "Best, Anna"]
    assert not state.add_phrase(form, 0, "words she never wrote", check=fake_check)
    plan = compose_plan({**complete_form(), "messages": form["messages"]}, check=fake_check)["en"]
    assert f"“{PHRASE}”" in plan and "“Best, Anna”" in plan and "idiot" not in plan
    # editing the message drops the chosen words it no longer contains
    state.set_value(form, "messages[0].text", "We will refund you in full if you remove your review.")
    assert form["messages"][0]["phrases"] == []


def test_merge_prefill_adds_behaviours_and_the_draft_once():
    form = complete_form()
    prefill = {"behaviours": ["abusive"], "messages": [{"text": "You idiot.", "phrases": ["idiot"]}]}
    merged = state.merge_prefill(form, prefill)
    assert merged["behaviours"] == ["abusive", "review-compensation"]
    assert [m["text"] for m in merged["messages"]] == [MESSAGE, "You idiot."]
    assert state.merge_prefill(merged, prefill) == merged
    blank = state.empty_form()
    state.add_entry(blank, "messages")
    assert [m["text"] for m in state.merge_prefill(blank, prefill)["messages"]] == ["You idiot."]


# --- render: the HTML the seller sees --------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "strings"), [("zh", ZH), ("en", EN)])
def test_form_shows_every_section_in_the_interface_language(lang, strings):
    form = complete_form()
    out = render_form(form, lang, strings)
    text = "".join(parse(out).text)
    schema = form_schema()
    for section in schema["sections"]:
        assert section["label"][lang] in text
    for kind_label in (k["label"][lang] for s in schema["sections"] if s["type"] == "kinds" for k in s["kinds"]):
        assert kind_label in text  # the entries' headings and the add buttons
    expected = {"behaviours", "orders", "messages[0].text", "messages[0].order", "messages[0].date"}
    for section in state.SECTIONS:
        kinds = {k["id"]: k for s in schema["sections"] if s["id"] == section for k in s["kinds"]}
        for i, entry in enumerate(form[section]):
            expected |= {f"{section}[{i}].{f['id']}" for f in kinds[entry["kind"]]["fields"]}
    assert paths(out) == expected
    # every control is labelled: <label for> points at an existing id
    elements = parse(out).elements
    ids = {a.get("id") for _, a in elements}
    assert all(a["for"] in ids for t, a in elements if t == "label" and "for" in a)


def test_form_values_are_filled_and_escaped():
    form = complete_form()
    form["orders"] = HOSTILE
    form["causes"][0]["details"] = HOSTILE
    form["measures"][2]["role"] = 'the "night" team'
    out = render_form(form, "zh", ZH)
    assert "<img" not in out and "<script" not in out
    elements = parse(out).elements
    by_id = {a.get("id"): (t, a) for t, a in elements}
    assert by_id[control_id("causes[0].role")][0] == "select"
    selected = [a["value"] for t, a in elements if t == "option" and "selected" in a]
    assert "customer-service-agent" in selected and "quarterly" in selected
    # a role in the seller's own words: the select says "another role" and the text box holds the words
    own = by_id[control_id("measures[2].role") + "-own"][1]
    assert own["value"] == 'the "night" team' and own["data-path"] == "measures[2].role"
    assert html.unescape(out).count(HOSTILE) == 2
    checked = [a["value"] for t, a in elements if t == "input" and a.get("type") == "checkbox" and "checked" in a]
    assert checked == ["review-compensation"]


def test_own_role_box_appears_when_chosen_before_anything_is_typed():
    form = state.empty_form()
    state.add_entry(form, "causes", "outside-agent")
    path = "causes[0].role"
    assert control_id(path) + "-own" not in render_form(form, "en", EN)
    out = render_form(form, "en", EN, own_roles={path})
    assert control_id(path) + "-own" in out
    assert f'<option value="{OWN_ROLE}" selected>' in out


def test_errors_land_next_to_their_field_or_entry():
    form = complete_form()
    form["orders"] = "113-456789-1234567"
    form["causes"][0]["details"] = ""
    form["actions"].append({"kind": "retrain-person"})
    out = render_form(form, "zh", ZH)
    slots = [a["data-error-for"] for _, a in parse(out).elements if "data-error-for" in a]
    errors = validate_form(form, today=TODAY, check=fake_check) + [
        {"field": "actions[3].kind", "message": {"en": "Unknown kind", "zh": "未知"}},
        {"field": "nowhere", "message": {"en": HOSTILE, "zh": HOSTILE}},
    ]
    placed, rest = place_errors(errors, slots, "zh")
    assert "113-456789-1234567" in placed["orders"]
    assert "具体经过" in placed["causes[0].details"]
    assert set(placed) >= {"actions[3].role", "actions[3].date", "actions[3].topic", "actions[3]"}
    assert "未知" in placed["actions[3]"]
    assert "&lt;img" in rest and "<img" not in rest
    assert render_status(errors, ZH) == ZH["appeal.todo"].format(n=len(errors))
    assert render_status([], EN) == EN["appeal.complete"]


def test_phrases_render_as_toggle_buttons():
    choices = [{"text": PHRASE, "selected": True, "flagged": True},
               {"text": HOSTILE, "selected": False, "flagged": False}]
    out = render_phrases(0, choices, ZH)
    buttons = [a for t, a in parse(out).elements if t == "button"]
    assert [(b["data-phrase"], b["aria-pressed"], b["data-kind"]) for b in buttons] == [
        (PHRASE, "true", "flagged"), (HOSTILE, "false", "added")]
    assert "<img" not in out
    assert ZH["appeal.phrases_none"] in render_phrases(0, [], ZH)


def test_plan_marks_the_checked_spans_by_code_point():
    text = "😀 Orders: none. We guarantee this will never happen again. <b>"
    start = text.index("guarantee")
    findings = [{"id": "unrealistic-promise", "severity": "warn", "span": [start, start + 9], "text": "guarantee",
                 "message": {"en": "m", "zh": "m"}, "hint": {"en": "h", "zh": "h"}},
                {"id": "missing-order-id", "severity": "warn", "span": None, "text": None,
                 "message": {"en": "No order", "zh": "没有订单号"}, "hint": {"en": HOSTILE, "zh": "写上订单号"}}]
    out = render_plan(text, findings)
    assert '<mark class="appeal-flag">guarantee</mark>' in out
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text
    listed = render_plan_check(findings, "en", EN)
    assert [a["data-id"] for t, a in parse(listed).elements if t == "li"] == ["unrealistic-promise", "missing-order-id"]
    assert "<img" not in listed and EN["appeal.hint"] in html.unescape(listed)
    assert render_check_summary(findings, ZH) == ZH["appeal.check_count"].format(n=2)
    assert render_check_summary([], ZH) == ZH["appeal.check_ok"]


@pytest.mark.parametrize(("lang", "strings"), [("zh", ZH), ("en", EN)])
def test_shell_has_the_hooks_the_browser_layer_uses(lang, strings):
    out = render_shell(lang, strings)
    ids = {a.get("id") for _, a in parse(out).elements}
    assert {"appeal-title", "appeal-form", "appeal-status", "appeal-errors-other", "appeal-plan-en", "appeal-plan-zh",
            "appeal-check-summary", "appeal-plan-check", "appeal-copy", "appeal-download", "appeal-clear",
            "appeal-action-status", "appeal-prefilled"} <= ids
    text = "".join(parse(out).text)
    assert form_schema()["title"][lang] in text and strings["appeal.storage_note"] in text


def test_download_is_named_after_the_first_order():
    assert plan_file_name(["113-4567890-1234567", "114-4567890-1234567"]) == "plan-of-action-113-4567890-1234567.txt"
    assert plan_file_name([]) == "plan-of-action.txt"
