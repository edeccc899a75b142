"""The engine under Pyodide (Python 3.14 and its ``re``, the browser's runtime), driven from Node without a browser:
does it report exactly what CPython reports?

Every other engine test runs on CPython 3.11; the page runs the same Python on another interpreter whose regular
expression engine and Unicode tables are newer. This test checks a sample of the corpus (every fourteenth message
of each language, ~2,350, with its category labels not consulted; every seventh when the corpus was a third of
its size of 2026-12-06) and a few hostile drafts in both runtimes with the
same compiled catalogue (the bytes the page loads) and the tone model the page ships, and compares the whole
reports. A difference would mean the page warns about other sentences than the tests have measured.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from app.catalogue import compile_catalogue, load_compiled
from app.engine import check, default_catalogue
from corpus_metrics import load

ROOT = Path(__file__).resolve().parent.parent
PYODIDE = ROOT / "node_modules" / "pyodide"

_RUNNER = textwrap.dedent("""
    import fs from "node:fs";
    import { loadProject } from "%(root)s/tools/pyodide-project.mjs";

    const { py, proj } = await loadProject();
    py.FS.writeFile(proj + "/catalogue.compiled.json", fs.readFileSync("%(compiled)s"));
    py.globals.set("TEXTS_JSON", fs.readFileSync("%(texts)s", "utf-8"));
    const out = await py.runPythonAsync(`
    import json, sys
    sys.path.insert(0, "${proj}")
    from app.catalogue import load_compiled
    from app.engine import check
    from app.tone import load_model
    cat = load_compiled(open("${proj}/catalogue.compiled.json", "rb").read())
    reports = [check(t, catalogue=cat, incremental=False).to_dict() for t in json.loads(TEXTS_JSON)]
    json.dumps({"version": sys.version.split()[0], "tone_model": load_model() is not None, "reports": reports})
    `);
    process.stdout.write(out);
""")


def _texts() -> list[str]:
    sample = [m.text for i, m in enumerate(load()) if i % 14 == 0]
    hostile = [
        "",
        "w h a t s a p p  +49 1 5 1 2 3 4 5 6 7 8 9 — ｗｈａｔｓａｐｐ me, john at gmail dot com \u200b",
        "مرحبا 👋 you are an idiot " + "9" * 400 + " ....@@@@.... " + "a" * 300,
        "\ud800 lone surrogate\x00\x07 and 😀😀😀 emoji; אתה טיפש",
        "親愛的買家，加我微信 abc_123 ，好評返現 5 美元。" * 20,
    ]
    return sample + hostile


@pytest.mark.skipif(shutil.which("node") is None or not (PYODIDE / "pyodide.mjs").exists(),
                    reason="needs node and node_modules/pyodide (npm ci)")
def test_engine_in_pyodide_reports_what_cpython_reports(tmp_path):
    compiled = tmp_path / "catalogue.compiled.json"
    compiled.write_bytes(compile_catalogue(default_catalogue()))
    cat = load_compiled(compiled.read_bytes())  # the same catalogue on both sides, whatever rules/ holds meanwhile
    texts = _texts()
    # json cannot carry a lone surrogate to Node: the hostile draft's is replaced on both sides alike
    texts = [t.encode("utf-16", "surrogatepass").decode("utf-16", "replace") for t in texts]
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    runner = tmp_path / "run.mjs"
    runner.write_text(_RUNNER % {"root": ROOT, "compiled": compiled, "texts": tmp_path / "texts.json"},
                      encoding="utf-8")
    proc = subprocess.run(["node", str(runner)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["version"].startswith("3.1") and result["version"] != "3.11"
    assert result["tone_model"] is True, "the Pyodide project lacks app/tone_model.json (tools/pyodide-project.mjs)"
    ours = [check(t, catalogue=cat, incremental=False).to_dict() for t in texts]
    theirs = result["reports"]
    assert len(theirs) == len(ours) > 1000
    differ = [(t[:80], a, b) for t, a, b in zip(texts, ours, theirs) if a != b]
    assert not differ, f"{len(differ)} of {len(texts)} reports differ; first: {differ[0]}"
    # the sample is not trivially silent: it exercises the rules and the tone model
    assert sum(bool(r["findings"]) for r in ours) > 400
    assert any(f["rule"] == "abusive.tone" for r in ours for f in r["findings"])
