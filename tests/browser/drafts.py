"""Drafts the browser tests type into the page, and what the engine on CPython says about them."""

from __future__ import annotations

import app

EMAIL = "john.doe@gmail.com"
# Emoji before the findings: each is two UTF-16 code units (the skin-tone one four), so any
# confusion of code points and code units shifts the marks and the offsets.
EMOJI_DRAFT = f"Hello 😀👍🏽 please add me on WhatsApp or write to {EMAIL} so we can sort it out."
REVIEW_DRAFT = "如果您删除差评，我们会给您全额退款。"
ORDER_DRAFT = "About order 114-3941689-8772232: the replacement part is in the second box."
MARKUP_DRAFT = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script> see <b>bold</b>"


def expected(text: str) -> list[tuple[str, str]]:
    """(rule, flagged text) of every finding, as the engine reports them on CPython."""
    return [(f["rule"], f["text"]) for f in app.check(text).to_dict()["findings"]]
