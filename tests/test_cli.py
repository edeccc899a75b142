"""The command line, run for real as a subprocess: exit codes, output formats, errors that name the line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LANG": "C"},  # C locale: UTF-8 must still print
    )


@pytest.fixture()
def files(tmp_path):
    dirty = tmp_path / "dirty.txt"
    dirty.write_text("Hello,\nplease mail john@gmail.com\n请加微信号：abc_123456 谢谢\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("Thank you, the replacement ships today.\n", encoding="utf-8")
    return tmp_path, dirty, clean


def test_clean_file_exits_0(files):
    _, _, clean = files
    r = run("check", str(clean))
    assert r.returncode == 0, r.stderr
    assert b"1 checked: 0 block, 0 warn, 0 info" in r.stdout


def test_dirty_file_exits_1_with_location_message_and_underline(files):
    _, dirty, _ = files
    r = run("check", str(dirty))
    assert r.returncode == 1
    out = r.stdout.decode("utf-8")
    assert f"{dirty}:2:13: block contact-details.email: An e-mail address" in out
    lines = out.splitlines()
    i = next(k for k, line in enumerate(lines) if "contact-details.email" in line)
    text_line, carets = lines[i + 1], lines[i + 2]
    assert text_line == "    please mail john@gmail.com"
    assert carets == "    " + " " * len("please mail ") + "^" * len("john@gmail.com")


def test_underline_counts_wide_cjk_characters_as_two_columns(files):
    _, dirty, _ = files
    out = run("check", str(dirty), "--ui-lang", "zh").stdout.decode("utf-8")
    lines = out.splitlines()
    i = next(k for k, line in enumerate(lines) if "contact-details.messenger-id" in line)
    assert ":3:7:" in lines[i]
    assert "即时通讯账号" in lines[i] or "账号" in lines[i]  # the Chinese message
    carets = lines[i + 2]
    # "请加微信号：" is 6 wide characters = 12 columns before the ID
    assert carets == "    " + " " * 12 + "^" * len("abc_123456")
    assert "检查了 1 条" in out


def test_json_format_one_object_per_file(files):
    _, dirty, clean = files
    r = run("check", "--format", "json", str(dirty), str(clean))
    assert r.returncode == 1
    objs = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert [o["file"] for o in objs] == [str(dirty), str(clean)]
    assert list(objs[0]) == ["file", "verdict", "lang", "counts", "findings"]
    text = dirty.read_text(encoding="utf-8")
    for f in objs[0]["findings"]:
        assert text[f["start"]:f["end"]] == f["text"]
    assert objs[1]["verdict"] == "ok"


def test_stdin_dash():
    r = run("check", "-", "--format", "json", stdin="Add me: wa.me/15551234567".encode())
    assert r.returncode == 1
    obj = json.loads(r.stdout)
    assert obj["file"] == "<stdin>" and obj["findings"][0]["rule"] == "contact-details.messenger-link"


def test_jsonl_in_order_one_line_per_record(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": 1, "text": "call +1 555 123 4567"}\n\n{"id": "b", "text": "All good, thanks."}\n'
        '{"id": null, "text": "Merci ^_^", "lang": "fr"}\n',
        encoding="utf-8",
    )
    r = run("check", "--jsonl", str(src))
    assert r.returncode == 1
    out = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, "b", None]
    assert [o["verdict"] for o in out] == ["fix", "ok", "review"]
    assert all(list(o) == ["id", "verdict", "findings"] for o in out)


def test_jsonl_all_clean_exits_0(tmp_path):
    src = tmp_path / "ok.jsonl"
    src.write_text('{"id": 1, "text": "Your parcel ships today."}\n', encoding="utf-8")
    assert run("check", "--jsonl", str(src)).returncode == 0


@pytest.mark.parametrize(
    "content, expect",
    [
        (b'{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', b":2: invalid JSON"),
        (b'{"id": 1, "text": "ok"}\n\n{"id": 3}\n', b':3: missing "text"'),
        (b'{"id": 1, "text": 5}\n', b':1: "text" must be a string'),
        (b'[1, 2]\n', b":1: expected an object"),
        (b'{"text": "x", "lang": "xx"}\n', b':1: "lang"'),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, content, expect):
    src = tmp_path / "bad.jsonl"
    src.write_bytes(content)
    r = run("check", "--jsonl", str(src))
    assert r.returncode == 2
    assert expect in r.stderr and str(src).encode() in r.stderr
    assert r.stdout == b""  # nothing half-written before the error


def test_invalid_utf8_names_line_and_byte_offset(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("first line\nsecond: caf\xe9\n".encode("latin-1"))
    r = run("check", str(bad))
    assert r.returncode == 2
    assert f"{bad}:2:12: not valid UTF-8 (byte offset 22".encode() in r.stderr


def test_unreadable_and_missing_input(tmp_path):
    r = run("check", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and b"nope.txt: cannot read" in r.stderr
    r = run("check", str(tmp_path))
    assert r.returncode == 2 and b"is a directory" in r.stderr
    r = run("check")
    assert r.returncode == 2 and b"nothing to check" in r.stderr


def test_bad_usage_exits_2():
    assert run("check", "--format", "xml", "x").returncode == 2
    assert run("check", "--lang", "xx", "x").returncode == 2
    assert run().returncode == 2


def test_rule_explains_one_rule():
    r = run("rule", "contact-details.email", "--ui-lang", "zh")
    assert r.returncode == 0 and "电子邮箱地址".encode() in r.stdout
    r = run("rule", "contact-details.nope")
    assert r.returncode == 2 and b"no rule" in r.stderr


def test_docs_check_passes_on_the_committed_catalogue():
    r = run("docs", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
