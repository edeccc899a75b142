"""The contact-details evasion audit (2026-12-05): probes written from issue 3's list, not from any corpus message.

`tests/evasion_probes.jsonl` holds 277 violations (phone numbers of US, UK, DE, FR, ES, IT, JP and CN in national and
international layouts with spaces, dots, dashes, brackets, slashes, none, full-width digits, spelled digits; e-mail
addresses plain, IDN, with at/dot spelled in seven languages, spread, zero-width, full-width, confusable, leetspeak;
messenger IDs and links; URLs and bare domains through the same evasions) and 184 look-alikes that must stay silent
(order IDs, ASINs, 27 tracking numbers of seventeen carriers, part, model and version numbers, prices, dates, times,
amazon.* links, "Amazon will email you a label", ordinary at / dot / Punkt / point / punto / chez / アット / 点).

A violation must raise each category it names at block or warn; a look-alike must raise none of the three audited
categories. The probes still missed are listed with the reason, and the list is exact: a probe that starts to pass
must leave it, so the figure in the README stays true.
"""

import json
from pathlib import Path

import pytest

import app

PROBES = [json.loads(line) for line in (Path(__file__).parent / "evasion_probes.jsonl").read_text("utf-8").splitlines()]
AUDITED = {"contact-details", "off-platform", "external-link"}

# Still missed after the audit's fixes, with why (see the README, "How well it checks").
KNOWN_MISSES = {
    # leetspeak inside an address: 'd0t', 'c0m', '4t' are not read as dot / com / at (leetspeak is undone in words only)
    "em-leet1": "leetspeak at/dot words",
    "em-leet3": "leetspeak at/dot words",
    # letters spread with dashes or dots inside the address itself
    "em-spread2": "spread letters inside an address",
    "em-spread3": "spread letters inside an address",
    # 'Q Q：123456789': QQ spread is not among the spread messenger names
    "ms-ev-spread7": "spread QQ",
    # O and l for 0 and 1 inside a digit run
    "ph-ev-leetO": "letters for digits in a phone number",
    # a domain in Chinese characters: labels are Latin only, so a Chinese sentence never reads as a domain
    "url-idn2": "IDN domain in CJK characters",
}


def _raised(text):
    return {f.category for f in app.check(text).findings if f.severity in ("block", "warn")}


def test_probe_file_is_well_formed():
    ids = [p["id"] for p in PROBES]
    assert len(ids) == len(set(ids)) == 461
    assert sum(1 for p in PROBES if p["expect"]) == 277
    assert {p["lang"] for p in PROBES} == {"en", "de", "fr", "es", "it", "ja", "zh"}
    assert set(KNOWN_MISSES) <= set(ids)


@pytest.mark.parametrize("probe", [p for p in PROBES if p["expect"]], ids=lambda p: p["id"])
def test_violation_probe_raises_its_category(probe):
    missing = set(probe["expect"]) - _raised(probe["text"])
    if probe["id"] in KNOWN_MISSES:
        assert missing, f"{probe['id']} is caught now: remove it from KNOWN_MISSES ({probe['text']!r})"
    else:
        assert not missing, f"{probe['id']} ({probe['class']}): {sorted(missing)} not raised on {probe['text']!r}"


@pytest.mark.parametrize("probe", [p for p in PROBES if not p["expect"]], ids=lambda p: p["id"])
def test_look_alike_probe_stays_silent(probe):
    report = app.check(probe["text"])
    loud = [(f.rule, f.text) for f in report.findings if f.severity in ("block", "warn") and f.category in AUDITED]
    assert not loud, f"{probe['id']} ({probe['class']}) {probe['text']!r}: {loud}"
