"""Appeal helper: from an "inappropriate communication" warning to a specific three-part Plan of Action.

Plain dicts in, plain dicts and strings out, so the page layer only moves JSON between the DOM and these:

- ``form_schema()``: the form to render (sections, kinds, fields, bilingual labels and help).
- ``prefill_from_report(draft, report)``: behaviours and message prefilled from the checker's findings.
- ``flagged_phrases(text)``: what ``app.check`` flags in a pasted message (what the plan will quote).
- ``parse_order_ids(value)``: order IDs normalised (full-width digits, dashes) and the invalid entries.
- ``validate_form(form)``: every problem in the form, ``[{"field", "message": {"en", "zh"}}]``.
- ``compose_plan(form)``: ``{"en": plan to send, "zh": Chinese rendering}``, via jinja2 templates.
- ``check_plan(text)``: what reviewers object to in an English plan, ``[{"id", "severity", "message",
  "hint", "span", "text"}]``.

jinja2 is imported by ``compose_plan`` on first use only: importing this package must not import it.
"""

from .compose import TEMPLATES_DIR, compose_plan, plan_facts
from .form import behaviours_from_findings, flagged_phrases, parse_order_ids, prefill_from_report, validate_form
from .plan_check import check_plan
from .schema import BEHAVIOURS, CATEGORY_TO_BEHAVIOUR, form_schema

__all__ = [
    "BEHAVIOURS",
    "CATEGORY_TO_BEHAVIOUR",
    "TEMPLATES_DIR",
    "behaviours_from_findings",
    "check_plan",
    "compose_plan",
    "flagged_phrases",
    "form_schema",
    "parse_order_ids",
    "plan_facts",
    "prefill_from_report",
    "validate_form",
]
