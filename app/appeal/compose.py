"""Composing the Plan of Action from the seller's facts, with jinja2 templates next to this module.

The split of work: Python decides WHICH points exist (a point exists only when every fact it states was given
and is valid: nothing generic is added), the templates decide HOW each point is worded, one file per language
with the same points in the same order. jinja2 is imported on first use, never when ``app`` or
``app.appeal`` is imported, so the checker's start-up in the browser does not pay for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .form import Checker, message_phrases, parse_date, parse_order_ids, role_label
from .schema import BEHAVIOURS, choice_by_id, kinds_of

# A plain directory: in the browser the package is unpacked into Pyodide's file system, where package-resource
# loaders have nothing to offer that a directory path does not.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATES = {"en": "plan.en.txt.j2", "zh": "plan.zh.txt.j2"}
LANGS = ("en", "zh")

_env = None
_SPACES_RE = re.compile(r"\s+")
# curly and straight double quotes inside a quoted phrase would end the quotation early for a reader (and for
# check_plan, which treats quoted text as evidence)
_QUOTES = str.maketrans({"\u201c": "'", "\u201d": "'", '"': "'", "\u300c": "'", "\u300d": "'"})


def _environment():
    global _env
    if _env is None:
        import jinja2  # lazy: see the module docstring

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=False,  # plain text for a Seller Central form, not HTML
            undefined=jinja2.StrictUndefined,  # a misspelt fact must fail loudly, not vanish from the plan
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["sentence"] = _sentence
        env.filters["inline"] = _inline
        env.filters["capfirst"] = _capfirst
        _env = env
    return _env


def _one_line(value: object) -> str | None:
    """The seller's text as one line (each point of the plan is one line), or None when empty."""
    if not isinstance(value, str):
        return None
    text = _SPACES_RE.sub(" ", value).strip()
    return text or None


def _sentence(text: str, lang: str = "en") -> str:
    """Seller text used as a sentence of its own: ends with a full stop unless it already ends a sentence."""
    if text[-1] in ".!?。!?":
        return text
    return text + ("。" if lang == "zh" else ".")


def _inline(text: str) -> str:
    """Seller text used inside a sentence: its own closing punctuation would break the sentence."""
    return text.rstrip(" .;:,。;:,")


def _role_phrase(value: object, lang: str) -> str | None:
    """A role as the plan names it: "our customer service agent" for a listed role; the seller's own words
    ("all three customer service agents", "Lily, our VA") as typed, since "our" may not fit them."""
    text = _one_line(value)
    if text is None:
        return None
    label = role_label(text, lang)
    if label == text:
        return text
    return ("我们的" if lang == "zh" else "our ") + label


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _entry(kind: dict, raw: dict, lang: str) -> dict | None:
    """One cause/action/measure with every field resolved for ``lang``; None when a required fact is missing."""
    out: dict = {"kind": kind["id"]}
    for field in kind["fields"]:
        value = raw.get(field["id"])
        ftype = field["type"]
        if ftype == "date":
            day = parse_date(value)
            resolved = day.isoformat() if day else None
        elif ftype == "choice":
            choice = choice_by_id(field["choices"], value) if isinstance(value, str) else None
            resolved = None
            if choice is not None:
                # a choice carries its own wording for the plan; choices without it are named by id in templates
                resolved = {"id": choice["id"], **{k: v[lang] for k, v in choice.items() if isinstance(v, dict)}}
        elif ftype == "role":
            resolved = _role_phrase(value, lang)
        else:
            resolved = _one_line(value)
        if resolved is None and field["required"]:
            return None
        out[field["id"]] = resolved
    return out


def plan_facts(form: object, *, check: Checker | None = None) -> dict:
    """The facts the plan will state, language-neutral: ``{"orders": [...], "behaviours": [ids],
    "messages": [{"order", "date", "phrases"}], "causes"/"actions"/"measures": [{"kind", <field>: raw value}]}``.

    Entries missing a required fact are left out (validate_form says what is missing).
    """
    form = form if isinstance(form, dict) else {}
    orders = parse_order_ids(form.get("orders"))["ids"]
    messages = []
    for msg in form.get("messages") or []:
        if not isinstance(msg, dict):
            continue
        phrases = [_one_line(p.translate(_QUOTES)) for p in message_phrases(msg, check=check)]
        phrases = [p for p in phrases if p]
        if not phrases:
            continue
        order = parse_order_ids(msg.get("order") if isinstance(msg.get("order"), str) else None)["ids"]
        day = parse_date(msg.get("date"))
        messages.append({"order": order[0] if len(order) == 1 else None,
                         "date": day.isoformat() if day else None, "phrases": phrases})
        if messages[-1]["order"] and messages[-1]["order"] not in orders:
            orders.append(messages[-1]["order"])
    chosen = form.get("behaviours") if isinstance(form.get("behaviours"), list) else []
    facts: dict = {
        "orders": orders,
        "behaviours": [b["id"] for b in BEHAVIOURS if b["id"] in chosen],
        "messages": messages,
    }
    for section in ("causes", "actions", "measures"):
        kinds = kinds_of(section)
        entries = form.get(section) if isinstance(form.get(section), list) else []
        facts[section] = [e for e in entries if isinstance(e, dict) and e.get("kind") in kinds
                          and _entry(kinds[e["kind"]], e, "en") is not None]
    return facts


def _context(facts: dict, lang: str) -> dict:
    plan_of = {b["id"]: b["plan"][lang] for b in BEHAVIOURS}
    ctx = {
        "lang": lang,
        "orders": facts["orders"],
        "behaviours": [plan_of[b] for b in facts["behaviours"]],
        "messages": facts["messages"],
    }
    for section in ("causes", "actions", "measures"):
        kinds = kinds_of(section)
        ctx[section] = [_entry(kinds[e["kind"]], e, lang) for e in facts[section]]
    return ctx


def compose_plan(form: object, *, check: Checker | None = None) -> dict[str, str]:
    """The Plan of Action as ``{"en": text, "zh": text}``: English to send, Chinese to understand it.

    Deterministic: the text depends only on the form (and on what ``check``, default ``app.check``, flags in
    the pasted messages). Tolerates an incomplete form: points whose facts are missing are simply absent.
    """
    facts = plan_facts(form, check=check)
    env = _environment()
    return {lang: env.get_template(TEMPLATES[lang]).render(_context(facts, lang)) for lang in LANGS}
