"""The appeal helper under Pyodide (Python 3.14, the browser's runtime), driven from Node without a browser.

Proves what the CPython tests cannot: jinja2 loads the templates from a plain directory in Pyodide's file
system, importing ``app.appeal`` does not import jinja2 there either, and the plan is the same text as on
CPython (so a test of the plan on CPython is a test of what the seller gets).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from app.appeal import check_plan, compose_plan, flagged_phrases
from test_appeal import complete_form, fake_check

ROOT = Path(__file__).resolve().parent.parent
PYODIDE = ROOT / "node_modules" / "pyodide"
SITE = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"), None)

_RUNNER = textwrap.dedent("""
    import fs from "node:fs";
    import { loadProject } from "%(root)s/tools/pyodide-project.mjs";

    // the app as the page's build unpacks it, plus jinja2/markupsafe as the page's wheels provide them
    const { py, proj } = await loadProject({ packages: { jinja2: "%(site)s/jinja2", markupsafe: "%(site)s/markupsafe" } });
    py.globals.set("FORM_JSON", fs.readFileSync(0, "utf-8"));
    const out = await py.runPythonAsync(`
    import json, sys
    sys.path.insert(0, "${proj}")
    import app.appeal
    jinja_at_import = "jinja2" in sys.modules
    from app.appeal import compose_plan, check_plan
    form = json.loads(FORM_JSON)
    # the quoted phrases come with the form, so the plan does not depend on the rule catalogue
    plan = compose_plan(form)
    json.dumps({"version": sys.version.split()[0], "jinja_at_import": jinja_at_import,
                "plan": plan, "findings": check_plan(plan["en"])})
    `);
    process.stdout.write(out);
""")


@pytest.mark.skipif(shutil.which("node") is None or not (PYODIDE / "pyodide.mjs").exists() or SITE is None,
                    reason="needs node and node_modules/pyodide (npm ci)")
def test_plan_in_pyodide_matches_cpython(tmp_path):
    form = complete_form()
    # pin the quoted words so both runtimes quote the same thing whatever the rule catalogue says today
    form["messages"][0]["phrases"] = [p["text"] for p in flagged_phrases(form["messages"][0]["text"],
                                                                         check=fake_check)]
    runner = tmp_path / "run.mjs"
    runner.write_text(_RUNNER % {"pyodide": PYODIDE, "root": ROOT, "site": SITE}, encoding="utf-8")
    proc = subprocess.run(["node", str(runner)], input=json.dumps(form), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["version"].startswith("3.1")
    assert result["jinja_at_import"] is False
    assert result["plan"] == compose_plan(form)
    assert result["findings"] == check_plan(result["plan"]["en"]) == []
