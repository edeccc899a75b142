"""tools/blind_sets.py, the blind-author cycle: a set that is merged passes the corpus test's near-copy rule, a
clean message allows nothing, a holdout that is not empty is never overwritten, and a broken file moves nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))

import blind_sets  # noqa: E402
import corpus_metrics as cm  # noqa: E402


def _record(lang, code, n, text, expect=(), allow=()):
    return {"id": f"{lang}-{code}{n:02d}", "lang": lang, "text": text, "expect": list(expect),
            "allow": list(allow), "note": "test"}


def _write_set(folder: Path, code: str, records_by_lang: dict[str, list[dict]]):
    (folder / code).mkdir(parents=True)
    for lang in cm.LANGS:
        lines = [json.dumps(r, ensure_ascii=False) for r in records_by_lang.get(lang, [])]
        (folder / code / f"{lang}.jsonl").write_text("".join(x + "\n" for x in lines), encoding="utf-8")


def _message(r):
    return cm.Message(id=r["id"], lang=r["lang"], text=r["text"], expect=frozenset(r["expect"]),
                      allow=frozenset(r["allow"]), note=r["note"])


def test_brief_fills_the_code_trade_and_deadline_and_rejects_a_bad_code():
    text = blind_sets.brief("zq", "mixed", "A seller of garden gnomes.", "18:00 UTC")
    assert "/work/blind/zq/" in text and "en-zq01" in text
    assert "A seller of garden gnomes." in text and "18:00 UTC" in text
    assert "{" + "CODE}" not in text and "{" + "TRADE}" not in text and "{" + "DEADLINE}" not in text
    with pytest.raises(SystemExit, match="two small letters"):
        blind_sets.brief("z1", "clean", "x", "y")


def test_engineer_brief_fills_every_placeholder():
    text = blind_sets.engineer_brief("43", "r43op", "off-platform", "Before the round: 25 missed.",
                                     "`rules/off-platform.toml`", "20:00 UTC")
    assert text.startswith("# Rule engineer, round 43 — off-platform")
    assert "Before the round: 25 missed." in text and "`rules/off-platform.toml`" in text
    assert "/tmp/r43op-m.txt" in text and "20:00 UTC" in text
    assert "{" not in text  # no placeholder left


def test_near_copies_finds_a_reworded_template_and_leaves_a_different_message():
    old = [_message(_record("en", "aa", 1, "Thank you for your order of the Lumi lamp, it ships today with UPS "
                                           "and should arrive on Friday, tracking 1Z999AA10123456784."))]
    new = [
        _message(_record("en", "zq", 1, "Thank you for your order of the Lumi desk lamp, it ships today with UPS "
                                        "and should arrive on Friday, tracking 1Z999AA10123456785.")),
        _message(_record("en", "zq", 2, "We are sorry the kettle arrived with a dent; a replacement leaves the "
                                        "warehouse tomorrow and you need not send anything back.")),
    ]
    lines = blind_sets.near_copies(old, new)
    assert lines and all(line.startswith("en-zq01 ~ en-aa01") for line in lines), lines
    assert any(line.endswith("difflib") for line in lines) and any(line.endswith("jaccard") for line in lines)


def test_merge_leaves_out_skipped_ids_drops_a_clean_allowance_and_refuses_a_full_holdout(tmp_path):
    records = {lang: [_record(lang, "zq", 1, f"{lang} message one", expect=["abusive"], allow=["marketing"]),
                      _record(lang, "zq", 2, f"{lang} message two", allow=["external-link"])] for lang in cm.LANGS}
    _write_set(tmp_path / "blind", "zq", records)
    new = blind_sets.read_set(tmp_path / "blind", ["zq"])
    holdout = tmp_path / "holdout"
    holdout.mkdir()
    counts = blind_sets.merge(new, {"de-zq01"}, holdout)
    assert counts["de"] == 1 and counts["en"] == 2
    en = [json.loads(x) for x in (holdout / "en.jsonl").read_text(encoding="utf-8").splitlines()]
    assert en[0]["allow"] == ["marketing"] and en[1]["expect"] == [] and en[1]["allow"] == []
    with pytest.raises(SystemExit, match="not empty"):
        blind_sets.merge(new, set(), holdout)
    for f in holdout.iterdir():
        f.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit, match="in none of the sets: en-zq99"):
        blind_sets.merge(new, {"en-zq99"}, holdout)


def test_read_set_names_the_file_and_line_of_a_bad_record(tmp_path):
    records = {lang: [_record(lang, "zq", 1, "fine")] for lang in cm.LANGS}
    records["fr"].append(_record("fr", "zz", 2, "wrong code"))
    _write_set(tmp_path, "zq", records)
    with pytest.raises(SystemExit, match=r"zq/fr\.jsonl:2: id 'fr-zz02' does not match"):
        blind_sets.read_set(tmp_path, ["zq"])


def test_move_appends_the_holdout_and_empties_it_but_moves_nothing_when_a_line_is_broken(tmp_path):
    main, holdout = tmp_path / "main", tmp_path / "holdout"
    main.mkdir()
    holdout.mkdir()
    for lang in cm.LANGS:
        (main / f"{lang}.jsonl").write_text('{"id": "old"}', encoding="utf-8")  # no final newline
        (holdout / f"{lang}.jsonl").write_text('{"id": "new"}\n', encoding="utf-8")
    (holdout / "zh.jsonl").write_text('{"id": "new"}\n{broken\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"zh\.jsonl:2: not JSON"):
        blind_sets.move(main, holdout)
    assert (main / "en.jsonl").read_text(encoding="utf-8") == '{"id": "old"}'
    (holdout / "zh.jsonl").write_text('{"id": "new"}\n', encoding="utf-8")
    assert blind_sets.move(main, holdout) == {lang: 1 for lang in cm.LANGS}
    assert (main / "ja.jsonl").read_text(encoding="utf-8") == '{"id": "old"}\n{"id": "new"}\n'
    assert (holdout / "ja.jsonl").read_text(encoding="utf-8") == ""


def test_spread_lists_a_rule_finding_alone_in_one_author_set_first():
    def outcome(mid, expect, allow, *found):
        m = cm.Message(id=mid, lang=mid[:2], text="x", expect=frozenset(expect), allow=frozenset(allow), note="")
        return cm.Outcome(m, raised=frozenset(c for _, c in found),
                          findings=tuple({"rule": r, "category": c} for r, c in found))

    outcomes = [
        # "narrow" finds alone twice, both in set gm; "broad" alone in three sets; "shared" never alone.
        outcome("en-gm01", ["abusive"], [], ("abusive.narrow", "abusive")),
        outcome("de-gm02", ["abusive"], [], ("abusive.narrow", "abusive")),
        outcome("en-001", ["abusive"], [], ("abusive.broad", "abusive")),
        outcome("fr-h03", ["abusive"], [], ("abusive.broad", "abusive")),
        outcome("it-gk04", ["abusive"], [], ("abusive.broad", "abusive"), ("abusive.shared", "abusive")),
        outcome("ja-gl05", ["abusive"], [], ("abusive.broad", "abusive")),
        # a false category counts against the rule; an allowed one does not
        outcome("zh-gn06", [], [], ("abusive.narrow", "abusive")),
        outcome("zh-gn07", ["marketing"], ["abusive"], ("abusive.broad", "abusive"), ("marketing.x", "marketing")),
    ]
    assert [blind_sets.set_of(i) for i in ("en-gm01", "en-001", "fr-h03", "en-a01b")] == ["gm", "-", "h", "?"]
    lines = blind_sets.spread(outcomes).splitlines()
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert lines[1].split()[0] == "abusive.narrow"  # one sole set: first
    assert rows["abusive.narrow"][1:] == ["2", "1", "2", "1", "1", "gm"]
    assert rows["abusive.broad"][1:] == ["4", "4", "3", "3", "0", "-,gl,h"]
    assert "abusive.shared" not in rows and "marketing.x" in rows
    assert lines[-1] == "3 rules with at least 1 sole find(s); 2 of them find alone in one author set only"
