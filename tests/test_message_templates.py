"""The template library: complete in every buyer language, well-formed, and compliant.

Compliance is proven with the checker itself: every template, with its placeholders as written and
filled with realistic values, gets no ``block`` or ``warn`` finding from ``app.check``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata

import pytest

from app.templates_library import (
    PLACEHOLDER,
    TEMPLATE_LANGUAGES,
    TEMPLATES_PATH,
    TemplateError,
    fill,
    get_template,
    list_cases,
    list_placeholders,
    list_templates,
    load_templates,
    placeholder_spans,
    placeholders,
)

TEMPLATES = list_templates()
IDS = [t["id"] for t in TEMPLATES]
CASES = ["shipping-delay", "damaged-item", "return-question", "custom-order-info", "review-request"]
BUYER_LANGUAGES = ["en", "de", "fr", "es", "it", "ja"]
ORDER_ID = "114-3941689-8772232"

# A second set of realistic values, different in shape from the documented examples (full names,
# numeric dates, longer product names), so a template is not only right for one lucky filling.
OTHER_VALUES = {
    "en": {"buyer_name": "Michael O'Brien", "new_date": "04/22/2025", "item": "stainless steel water bottle, 750 ml",
           "missing_info": "the initials for the engraving", "shop_name": "Brightleaf Goods"},
    "de": {"buyer_name": "Herr Dr. Becker", "new_date": "22.04.2025", "item": "Edelstahl-Trinkflasche 750 ml",
           "missing_info": "die Initialen für die Gravur", "shop_name": "Brightleaf Goods"},
    "fr": {"buyer_name": "Monsieur Dubois", "new_date": "22/04/2025", "item": "gourde en inox de 750 ml",
           "missing_info": "les initiales à graver", "shop_name": "Brightleaf Goods"},
    "es": {"buyer_name": "Javier García", "new_date": "22/04/2025", "item": "botella de acero inoxidable de 750 ml",
           "missing_info": "las iniciales para el grabado", "shop_name": "Brightleaf Goods"},
    "it": {"buyer_name": "Marco Bianchi", "new_date": "22/04/2025", "item": "borraccia in acciaio inox da 750 ml",
           "missing_info": "le iniziali da incidere", "shop_name": "Brightleaf Goods"},
    "ja": {"buyer_name": "佐藤 花子", "new_date": "2025年4月22日", "item": "ステンレスボトル 750ml",
           "missing_info": "刻印するイニシャル", "shop_name": "ブライトリーフ"},
    "zh": {"buyer_name": "李女士", "new_date": "2025年4月22日", "item": "不锈钢保温杯 750 毫升",
           "missing_info": "刻字用的姓名缩写", "shop_name": "Brightleaf Goods"},
}

DOCS = list_placeholders()


def example_values(language: str) -> dict[str, str]:
    return {name: doc["example"][language] for name, doc in DOCS.items()}


def other_values(language: str) -> dict[str, str]:
    return {"order_id": "205-0048213-5531968", **OTHER_VALUES[language]}


# --- completeness and form ---------------------------------------------------------------------------


def test_every_case_exists_in_every_buyer_language():
    assert [c["id"] for c in list_cases()] == CASES
    have = {(t["case"], t["language"]) for t in TEMPLATES}
    missing = [f"{case}.{lang}" for case in CASES for lang in BUYER_LANGUAGES if (case, lang) not in have]
    assert not missing, f"missing templates: {missing}"


def test_ids_are_unique_and_named_after_case_and_language():
    assert len(IDS) == len(set(IDS))
    for t in TEMPLATES:
        assert t["id"] == f"{t['case']}.{t['language']}"
    # the file itself, not only the loader's view of it: one entry per case and language
    with open(TEMPLATES_PATH, "rb") as handle:
        raw = tomllib.load(handle)["template"]
    pairs = [(entry["case"], entry["language"]) for entry in raw]
    assert len(pairs) == len(set(pairs)) == len(TEMPLATES)


def test_listing_is_ordered_by_case_then_language_and_filters():
    order = [(CASES.index(t["case"]), TEMPLATE_LANGUAGES.index(t["language"])) for t in TEMPLATES]
    assert order == sorted(order)
    assert [t["language"] for t in list_templates(case="damaged-item")] == list(TEMPLATE_LANGUAGES)
    assert [t["case"] for t in list_templates(language="it")] == CASES
    assert [t["id"] for t in list_templates(case="review-request", language="ja")] == ["review-request.ja"]


@pytest.mark.parametrize("template_id", IDS)
def test_template_shape(template_id):
    t = get_template(template_id)
    assert set(t) == {"id", "case", "language", "title", "text", "placeholders", "proactive"}
    assert set(t["title"]) == {"zh", "en"} and all(v.strip() for v in t["title"].values())
    assert t["text"] == t["text"].strip() and t["text"]
    assert t["placeholders"] == placeholders(t["text"])


def test_titles_name_the_case_and_the_language_in_both_interface_languages():
    t = get_template("shipping-delay.de")
    assert t["title"] == {"zh": "发货延迟（德语）", "en": "Shipping delay (German)"}
    titles = [(t["title"]["zh"], t["title"]["en"]) for t in TEMPLATES]
    assert len(set(titles)) == len(titles)


def test_get_template_unknown_id():
    with pytest.raises(KeyError, match="unknown template 'shipping-delay.pt'"):
        get_template("shipping-delay.pt")


def test_returned_templates_are_copies():
    t = get_template("return-question.en")
    t["text"] = "changed"
    t["title"]["en"] = "changed"
    t["placeholders"].append("changed")
    fresh = get_template("return-question.en")
    assert fresh["text"] != "changed" and fresh["title"]["en"] != "changed" and "changed" not in fresh["placeholders"]


@pytest.mark.parametrize("template_id", IDS)
def test_placeholders_are_well_formed_and_documented(template_id):
    text = get_template(template_id)["text"]
    assert not re.search(r"[{}]", PLACEHOLDER.sub("", text)), "a brace outside a {placeholder}"
    for name in placeholders(text):
        assert name in DOCS, f"{name} is not documented"


def test_placeholder_documentation_is_bilingual_with_an_example_per_language():
    used = {name for t in TEMPLATES for name in t["placeholders"]}
    assert set(DOCS) == used
    for name, doc in DOCS.items():
        assert re.search(r"[\u4e00-\u9fff]", doc["zh"]), name
        assert re.search(r"[a-z]{3}", doc["en"]) and not re.search(r"[\u4e00-\u9fff]", doc["en"]), name
        assert set(doc["example"]) == set(TEMPLATE_LANGUAGES)
        assert all(v.strip() and "{" not in v for v in doc["example"].values()), name
    assert DOCS["order_id"]["example"]["en"] == ORDER_ID


# --- policy: what every compliant message needs, checked independently of the rule engine ----------


@pytest.mark.parametrize("template_id", IDS)
def test_every_template_names_the_order(template_id):
    assert "order_id" in get_template(template_id)["placeholders"]


@pytest.mark.parametrize("template_id", IDS)
def test_no_link_email_phone_or_emoji(template_id):
    text = fill(get_template(template_id)["text"], other_values(template_id.split(".")[1]))
    assert not re.search(r"https?:|www\.|\.com\b|@", text)
    without_order = text.replace("205-0048213-5531968", "")
    assert not re.search(r"\d[\d \-]{6,}\d", without_order), "something that looks like a phone number"
    emoji = [c for c in text if unicodedata.category(c) == "So" or 0x1F000 <= ord(c) <= 0x1FAFF]
    assert not emoji


@pytest.mark.parametrize("template_id", IDS)
def test_answers_come_back_through_this_conversation(template_id):
    """Every message that asks for something asks for it as a reply here (policy R1)."""
    reply_here = {
        "en": r"reply to this message", "de": r"antworten Sie .*auf diese Nachricht|auf diese Nachricht antworten",
        "fr": r"répond\w* à ce message", "es": r"respond\w* a este mensaje", "it": r"rispond\w* a questo messaggio",
        "ja": r"このメッセージ(に|への)ご返信", "zh": r"回复此消息",
    }
    t = get_template(template_id)
    if t["case"] != "review-request":
        assert re.search(reply_here[t["language"]], t["text"])


NOT_NEUTRAL = {
    "en": r"star|positive|good review|great review|5|five|if you (are|were) (happy|satisfied)|gift|discount|free",
    "de": r"stern|positiv|gute bewertung|5|fünf|zufrieden|gutschein|rabatt|kostenlos",
    "fr": r"étoile|positi|bon avis|5|cinq|satisfait|cadeau|réduction|gratuit",
    "es": r"estrella|positiv|buena reseña|5|cinco|satisfech|regalo|descuento|gratis",
    "it": r"stell|positiv|buona recensione|5|cinque|soddisfatt|regalo|sconto|gratis",
    "ja": r"星|高評価|良い評価|5|５|満足|ギフト|割引|無料|返金",
    "zh": r"星|好评|五|5|满意|返现|礼品|优惠|免费|退款",
}


@pytest.mark.parametrize("language", TEMPLATE_LANGUAGES)
def test_review_request_is_neutral(language):
    """One neutral request: no stars, no 'positive', nothing in return, not only for happy buyers (R5)."""
    text = get_template(f"review-request.{language}")["text"].lower()
    assert not re.search(NOT_NEUTRAL[language], text)
    assert len(list_templates(case="review-request", language=language)) == 1


# --- the checker: the proof that the templates pass ------------------------------------------------


def check(text: str, **kwargs):
    # Imported here so the rest of this file runs before the engine exists; these tests fail until it does.
    from app import check as app_check

    return app_check(text, **kwargs)


def _problems(text: str, lang: str | None) -> list[str]:
    report = check(text, lang=lang) if lang else check(text)
    return [f"{f.severity} {f.rule}: {f.text!r}" for f in report.findings if f.severity in ("block", "warn")]


FILLINGS = {"as written": lambda t: t["text"],
            "examples": lambda t: fill(t["text"], example_values(t["language"])),
            "other values": lambda t: fill(t["text"], other_values(t["language"]))}


@pytest.mark.parametrize("filling", FILLINGS)
@pytest.mark.parametrize("template_id", IDS)
def test_template_passes_the_checker(template_id, filling):
    t = get_template(template_id)
    text = FILLINGS[filling](t)
    if filling != "as written":
        assert not placeholders(text)
        assert ORDER_ID in text or "205-0048213-5531968" in text
    for lang in (t["language"], None):
        problems = _problems(text, lang)
        assert not problems, f"{template_id} ({filling}, lang={lang}): {problems}\n{text}"


@pytest.mark.parametrize("template_id", IDS)
def test_checker_reads_the_template_in_its_language(template_id):
    """The engine picks rules by language, so a template must be recognised as the language it is in."""
    t = get_template(template_id)
    assert check(fill(t["text"], example_values(t["language"]))).lang == t["language"]


# Control: the same templates with one forbidden sentence added must be blocked, so the passes above
# mean the checker read these texts in these languages, not that it read nothing. Sentences from the
# policy's examples (R1 off-platform contact, R5 review incentives).
FORBIDDEN = {
    "en": ("Please add us on WhatsApp.", "We will refund you in full if you leave a 5-star review."),
    "de": ("Schreiben Sie uns per WhatsApp.", "Für eine 5-Sterne-Bewertung erstatten wir Ihnen den vollen Betrag."),
    "fr": ("Contactez-nous sur WhatsApp.", "Nous vous rembourserons intégralement pour un avis 5 étoiles."),
    "es": ("Escríbanos por WhatsApp.", "Le reembolsaremos el importe completo por una reseña de 5 estrellas."),
    "it": ("Scrivici su WhatsApp.", "Le rimborseremo l'intero importo per una recensione a 5 stelle."),
    "ja": ("LINEでご連絡ください。", "星5のレビューを書いていただければ全額返金いたします。"),
    "zh": ("请加我们的WhatsApp。", "给五星好评即可全额返现。"),
}


@pytest.mark.parametrize("template_id", IDS)
def test_control_a_forbidden_sentence_in_the_template_is_blocked(template_id):
    t = get_template(template_id)
    text = fill(t["text"], example_values(t["language"]))
    for sentence in FORBIDDEN[t["language"]]:
        spoiled = text.replace("\n\n", f"\n\n{sentence}\n\n", 1)
        report = check(spoiled, lang=t["language"])
        flagged = [f for f in report.findings if f.severity == "block"]
        assert flagged, f"{template_id}: the checker missed {sentence!r}"
        assert all(spoiled.index(sentence) <= f.start < spoiled.index(sentence) + len(sentence) for f in flagged)


# --- helpers -----------------------------------------------------------------------------------------


def test_placeholders_are_ordered_and_unique():
    assert placeholders("{b} {a} {b} {c_2}") == ["b", "a", "c_2"]
    assert placeholders("no {Upper} {1x} { spaced } {{double}} {ok}") == ["double", "ok"]
    assert placeholders("") == []


def test_placeholder_spans_are_code_point_offsets():
    text = "😊 {buyer_name} 様、{order_id}"
    spans = placeholder_spans(text)
    assert [name for name, _, _ in spans] == ["buyer_name", "order_id"]
    for name, start, end in spans:
        assert text[start:end] == "{" + name + "}"
    assert spans[0][1] == 2


def test_fill_replaces_known_placeholders_and_keeps_the_rest():
    assert fill("{a} and {b} and {a}", {"a": "1"}) == "1 and {b} and 1"
    assert fill("{a}", {"a": "{b}"}) == "{b}"  # a value is inserted as is, not expanded again


# --- the loader tells the author what to fix -------------------------------------------------------

GOOD_HEAD = '''
[cases.x]
title = { zh = "甲", en = "X" }
proactive = true
when = { zh = "乙", en = "Y" }

[placeholders.order_id]
zh = "订单号"
en = "order ID"
example = "114-3941689-8772232"
'''


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id}."\n'
         '[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id}!"\n', "duplicate"),
        ('[[template]]\ncase = "y"\nlanguage = "en"\ntext = "Order {order_id}."\n', "unknown case 'y'"),
        ('[[template]]\ncase = "x"\nlanguage = "pt"\ntext = "Order {order_id}."\n', "unknown language"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id} for {item}."\n',
         "placeholder item is not documented"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {Order_ID}."\n', "stray '{'"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id"\n', "stray '{'"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "  "\n', "empty text"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id}."\nsubject = "Hi"\n',
         "unknown key subject"),
        ('[[template]]\ncase = "x"\nlanguage = "en"\ntext = "No placeholder."\n',
         "order_id is documented but never used"),
    ],
)
def test_loader_errors_name_the_entry_and_the_fix(tmp_path, body, message):
    path = tmp_path / "message_templates.toml"
    path.write_text(GOOD_HEAD + body, encoding="utf-8")
    with pytest.raises(TemplateError, match=re.escape(message)) as err:
        load_templates(path)
    assert "message_templates.toml" in str(err.value) and "fix" in str(err.value)


def test_loader_rejects_an_undocumented_example_language(tmp_path):
    path = tmp_path / "message_templates.toml"
    path.write_text(GOOD_HEAD.replace('example = "114-3941689-8772232"', 'example = { en = "114-3941689-8772232" }')
                    + '[[template]]\ncase = "x"\nlanguage = "en"\ntext = "Order {order_id}."\n', encoding="utf-8")
    with pytest.raises(TemplateError, match="example"):
        load_templates(path)


def test_loader_accepts_a_minimal_library(tmp_path):
    path = tmp_path / "message_templates.toml"
    path.write_text(GOOD_HEAD + '[[template]]\ncase = "x"\nlanguage = "de"\ntext = """\nBestellung {order_id}.\n"""\n',
                    encoding="utf-8")
    library = load_templates(path)
    assert list(library.templates) == ["x.de"]
    assert library.templates["x.de"]["text"] == "Bestellung {order_id}."
    assert library.templates["x.de"]["title"] == {"zh": "甲（德语）", "en": "X (German)"}
