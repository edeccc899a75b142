"""The plan checker (issue 5, deliverable 4): every check fires on a crafted bad plan and stays silent on good
plans composed from complete facts."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.appeal import check_plan, compose_plan, validate_form
from app.appeal.plan_check import MAX_WORDS
from test_appeal import complete_form, fake_check

GOOD = compose_plan(complete_form(), check=fake_check)["en"]


def ids(text: str) -> list[str]:
    return [f["id"] for f in check_plan(text)]


def flagged(text: str, fid: str) -> list[str]:
    return [f["text"] for f in check_plan(text) if f["id"] == fid]


def with_point(extra: str, section: str = "Root cause") -> str:
    """GOOD with one more numbered point at the top of ``section``."""
    head = f"\n{section}\n"
    return GOOD.replace(head, f"{head}0. {extra}\n", 1)


def test_good_composed_plan_has_no_findings():
    assert check_plan(GOOD) == []


def test_finding_shape():
    findings = check_plan(with_point("The buyer lied about the damage."))
    (f,) = findings
    assert set(f) == {"id", "severity", "message", "hint", "span", "text"}
    assert f["severity"] in {"block", "warn", "info"}
    assert set(f["message"]) == set(f["hint"]) == {"en", "zh"}
    start, end = f["span"]
    assert with_point("The buyer lied about the damage.")[start:end] == f["text"] == "The buyer lied"


@pytest.mark.parametrize("sentence,span", [
    ("The buyer lied about the damage.", "The buyer lied"),
    ("This customer was trying to scam us.", None),
    ("It was the buyer's fault.", "buyer's fault"),
    ("Amazon's system is unfair to small sellers.", "Amazon's system is unfair"),
    ("We were unfairly flagged by the algorithm.", "unfairly flagged"),
    ("Honestly we did nothing wrong.", "we did nothing wrong"),
    ("The buyer left a fake review.", None),
])
def test_blame_on_the_buyer_or_amazon(sentence, span):
    hits = flagged(with_point(sentence), "blame")
    assert hits, sentence
    if span:
        assert hits == [span]


@pytest.mark.parametrize("sentence,span", [
    ("This will never happen again.", "will never happen again"),
    ("We guarantee full compliance.", "We guarantee"),
    ("Compliance is guaranteed from now on.", "is guaranteed"),
    ("Our team is now 100% compliant.", "100% compliant"),
    ("Zero mistakes from now on.", "Zero mistakes"),
    ("We will follow the rules forever.", "forever"),
    ("We make sure this never happens again.", "never happens again"),
])
def test_unrealistic_promises(sentence, span):
    assert flagged(with_point(sentence, "Preventive measures"), "unrealistic-promise") == [span]


@pytest.mark.parametrize("sentence,span", [
    ("We value our customers.", "We value our customers"),
    ("We sincerely apologize for any inconvenience caused.", "apologize for any inconvenience"),
    ("We take this matter very seriously.", "take this matter very seriously"),
    ("Customer satisfaction is our top priority.", "Customer satisfaction is our top"),
    ("We have taken all necessary steps.", "taken all necessary steps"),
])
def test_generic_filler(sentence, span):
    assert flagged(with_point(sentence), "generic-filler") == [span]


@pytest.mark.parametrize("sentence,span", [
    ("For questions write to support@myshop.com please.", "support@myshop.com"),
    ("Our WhatsApp: lilyshop88 is open.", "WhatsApp: lilyshop88"),
    ("Call +86 138 1234 5678 any time.", "+86 138 1234 5678"),
    ("See www.myshop.com.", "www.myshop.com"),
    ("Details are on myshop.com/policy today.", "myshop.com/policy"),
    ("Go to https://amazon.com.myshop.top/deal now.", "https://amazon.com.myshop.top/deal"),
])
def test_live_contact_details(sentence, span):
    assert flagged(with_point(sentence), "contact-details") == [span]


def test_quoted_evidence_is_not_a_live_contact_detail_nor_foreign_text():
    plan = with_point('Message for order 113-4567890-1234567: “add me on WhatsApp +86 138 1234 5678 or '
                      'jo@x.com, 加我微信” and "visit www.myshop.com".')
    assert check_plan(plan) == []


def test_order_ids_dates_and_amazon_links_are_not_contact_details():
    plan = with_point("Order 113-4567890-1234567 and 114-1111111-2222222, 2024-05-03 2024-05-04, "
                      "per sellercentral.amazon.com, https://www.amazon.com/hz/feedback, amazon.co.uk and the A-to-z "
                      "Guarantee claim, and the template mentioned a 2-year guarantee.")
    assert check_plan(plan) == []


def test_non_english_text():
    plan = with_point("Our agent 小王 was retrained.")
    (f,) = check_plan(plan)
    assert f["id"] == "non-english" and f["text"] == "小王" and f["severity"] == "block"
    assert flagged(with_point("Training for Дмитрий."), "non-english") == ["Дмитрий"]


def test_missing_order_id_date_and_measure():
    no_order = re.sub(r"\d{3}-\d{7}-\d{7}", "the order", GOOD)
    assert ids(no_order) == ["missing-order-id"]
    no_date = re.sub(r"\d{4}-\d{2}-\d{2}", "recently", GOOD)
    assert ids(no_date) == ["missing-date"]
    vague = GOOD[:GOOD.index("\nPreventive measures\n")] + (
        "\nPreventive measures\n1. We will train our staff better.\n2. We will check messages carefully.\n")
    assert ids(vague) == ["missing-measure"]
    no_section = GOOD[:GOOD.index("\nPreventive measures\n")] + "\n"
    assert ids(no_section) == ["missing-measure"]


def test_dates_in_other_formats_count_as_dates():
    base = re.sub(r"\d{4}-\d{2}-\d{2}", "recently", GOOD)
    for date in ("May 3, 2024", "3 May 2024", "03/05/2024", "2024/05/03", "May 2024"):
        assert "missing-date" not in ids(base.replace("recently", date, 1)), date


def test_measures_without_a_heading_are_still_found_when_concrete():
    plan = ("Orders: 113-4567890-1234567. On 2024-05-03 our agent offered a refund for a review.\n"
            "1. From 2024-05-09 every message is checked before sending by our supervisor.\n")
    assert "missing-measure" not in ids(plan)
    assert "missing-measure" in ids("Orders: 113-4567890-1234567. On 2024-05-03 our agent erred.\n")


def test_long_point_and_long_plan():
    long_point = "Our agent wrote it. She was upset. The buyer had asked twice. Nobody checked it."
    (f,) = check_plan(with_point(long_point))
    assert f["id"] == "long-point" and f["severity"] == "info" and f["text"].startswith("0. Our agent")
    # abbreviations, numbers and quoted sentences do not count as sentences of the point
    assert check_plan(with_point("E.g. our agent, i.e. Anna, wrote “Stop. Now. Please. Go.” on 2024-05-03.")) == []
    padding = "\n".join(f"{i}. On 2024-05-0{i % 9 + 1} we checked batch {i} of old buyer messages." for i in
                        range(1, 80))
    long_plan = GOOD + "\nAppendix\n" + padding + "\n"
    words = len(long_plan.split())
    assert words > MAX_WORDS
    (f,) = check_plan(long_plan)
    assert f["id"] == "too-long" and str(len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", long_plan))) in \
        f["message"]["en"]


def test_every_check_fires_on_one_bad_plan_and_most_serious_come_first():
    bad = """Dear Amazon,
We value our customers and we sincerely apologize for any inconvenience. We take this matter very seriously.
The buyer lied about the product and Amazon's system is unfair.
This will never happen again, 100% guaranteed.
Please contact me at seller@gmail.com or WhatsApp: lilyshop88.
我们已经培训了员工。
1. We will train our staff. We will be better. We will check messages. We will improve.
""" + " ".join(["word"] * MAX_WORDS)
    found = ids(bad)
    for fid in ("missing-order-id", "missing-date", "missing-measure", "blame", "unrealistic-promise",
                "generic-filler", "too-long", "long-point", "non-english", "contact-details"):
        assert fid in found, fid
    severities = [f["severity"] for f in check_plan(bad)]
    assert severities == sorted(severities, key=["block", "warn", "info"].index)


def test_not_text_gives_no_findings():
    assert check_plan(None) == []  # type: ignore[arg-type]


# --- precision on composed plans ----------------------------------------------------------------------------

_words = st.sampled_from(["customer service", "template", "messages", "refund", "review", "buyer", "returns",
                          "Seller Central", "policy", "guidelines", "team", "order", "replacement", "April",
                          "weekend", "new", "agent", "automation", "inbox", "warranty"])
_text = st.lists(_words, min_size=2, max_size=8).map(lambda ws: " ".join(ws).capitalize())
_date = st.dates(min_value=__import__("datetime").date(2023, 1, 1),
                 max_value=__import__("datetime").date(2024, 5, 1)).map(lambda d: d.isoformat())
_role = st.sampled_from(["customer-service-agent", "store-manager", "virtual-assistant", "owner",
                         "two agents from the night shift"])


def _kind_entry(section: str, kind: dict, draw) -> dict:
    entry = {"kind": kind["id"]}
    for f in kind["fields"]:
        if not f["required"] and draw(st.booleans()):
            continue
        entry[f["id"]] = draw({"date": _date, "role": _role,
                               "choice": st.sampled_from([c["id"] for c in f.get("choices", [])] or [""])}.get(
            f["type"], _text))
    return entry


@st.composite
def complete_forms(draw):
    from app.appeal.schema import kinds_of

    form = {"behaviours": draw(st.lists(st.sampled_from(["abusive", "contact-request", "off-platform",
                                                        "review-compensation", "other-content"]),
                                        min_size=1, unique=True)),
            "orders": draw(st.from_regex(r"\A[0-9]{3}-[0-9]{7}-[0-9]{7}\Z")),
            "messages": [{"text": "Hi. We will refund you in full if you remove your review. You idiot.",
                          "date": draw(_date)}]}
    for section in ("causes", "actions", "measures"):
        kinds = list(kinds_of(section).values())
        chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3, unique_by=lambda k: k["id"]))
        form[section] = [_kind_entry(section, k, draw) for k in chosen]
    return form


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(complete_forms())
def test_plans_composed_from_complete_facts_get_no_findings(form):
    assert validate_form(form, today="2024-05-20", check=fake_check) == []  # the facts are indeed complete
    plan = compose_plan(form, check=fake_check)["en"]
    assert check_plan(plan) == [], plan


_plan_chars = st.lists(st.sampled_from(list("abcxyz ABZ019.-@/:+“”\"「」\n\t,;'’小Д１") + [
    "www.", "2024-05-03", "buyer lied", "never happen again", "113-4567890-1234567", "1. ", "Preventive measures\n"]),
    max_size=120).map("".join)


@settings(max_examples=200, deadline=None)
@given(_plan_chars)
def test_any_text_gives_well_formed_findings(text):
    for f in check_plan(text):
        if f["span"] is None:
            assert f["text"] is None
        else:
            start, end = f["span"]
            assert 0 <= start < end <= len(text) and text[start:end] == f["text"]
