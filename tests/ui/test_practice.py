"""The Node page's Learn and Practice tabs, driven with AppTest on a temp roadmap and store:
start, edit (through the session state, as the editor sends it), check, a failing check
first with its hint, fix, verified and ★; the attempts and restore; your own editor; a
solution that loops or reads secrets; who may run learner code; team mode."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import graph
from tests.ui.apptest import _script, english_leaks, finished, make_app, ok, texts
from tests.ui.conftest import CALCULUS_RIGHT, CALCULUS_WRONG, ROOT, add_squares_lab
from ui.node import tab_label
from ui.practice import code_key, lesson_markdown
from ui.widgets import RUN_ICON

pytestmark = pytest.mark.xdist_group("practice")

USER = graph.DEFAULT_USER

RIGHT, WRONG = CALCULUS_RIGHT, CALCULUS_WRONG


def practice_app(node: str, **state: Any) -> AppTest:
    return ok(make_app("node", node=node, node_tab=tab_label("practice"), **state))


def check(at: AppTest, key: str = "practice_check", limit: float = 180) -> AppTest:
    """Click a check button and rerun until the check's result shows."""
    at.button(key=key).click().run()
    deadline = time.monotonic() + limit
    ended = tuple(RUN_ICON.values())  # a finished run's status box, in any language
    while time.monotonic() < deadline:
        if any(s.label.startswith(ended) for s in at.status):
            return ok(at)
        time.sleep(0.5)
        at.run()
    raise AssertionError(f"the check did not finish: {texts(at)[-2000:]}")


def graded_rows(at: AppTest) -> list[dict[str, str]]:
    """The graded checks table, first row first."""
    return at.table[0].value.to_dict("records")


def verified_on_roadmap(node: str) -> bool:
    """Whether the Roadmap page (a new session) marks ``node`` verified: a ★ in its hover
    text (the Plotly chart) or ``verified`` in the graph component's data."""
    at = ok(make_app("roadmap"))
    for el in at.get("plotly_chart"):
        for trace in json.loads(el.proto.spec)["data"]:
            for cd in trace.get("customdata") or []:
                if cd and cd[0] == node:
                    return "★" in " ".join(map(str, cd))
    for el in at.get("bidi_component"):
        for n in json.loads(el.proto.json or "{}").get("nodes", []):
            if n.get("id") == node:
                return bool(n.get("verified"))
    raise AssertionError(f"the Roadmap page shows no node {node}")


@pytest.fixture()
def squares(app_env: Path) -> Path:
    """The app roadmap plus the tiny ``squares`` lab (a 6 s timeout)."""
    add_squares_lab(app_env, app_env / "roadmap")
    return app_env


# --------------------------------------------------------------------------- Learn
def test_learn_tab_shows_the_objectives_and_the_lesson(app_env: Path) -> None:
    at = ok(make_app("node", node="calculus", node_tab=tab_label("learn")))
    body = "\n".join(m.value for m in at.markdown)
    assert "- do a thing" in body
    assert "centered difference" in body
    assert "```bash\n$ python labs/calculus.py --quick\n```" in body
    assert "`labs/calculus.py`" in texts(at)
    assert "lab_run" not in [b.key for b in at.button]  # only the open tab is drawn


def test_lesson_markdown_escapes_what_markdown_would_read() -> None:
    md = lesson_markdown('A ``mask`` [x] costs $n^2$ * 2 <b>.\n\n    y = f(x)\n')
    assert md.splitlines()[0] == r"A `mask` \[x\] costs \$n^2\$ \* 2 \<b\>."
    assert md.endswith("```python\ny = f(x)\n```")
    for lab in sorted((ROOT / "labs").glob("*.py")):
        text = graph.lab_lesson(lab) if lab.name != "kit.py" else ""
        if "$ python" in text:  # every lab's usage line becomes a bash block
            assert "```bash\n$ python" in lesson_markdown(text), lab.name


# --------------------------------------------------------------------------- Practice
def test_start_edit_check_fail_fix_verified_restore_reset(app_env: Path) -> None:
    at = practice_app("calculus")
    assert "Start exercise" in [b.label for b in at.button]
    solution = graph.solution_path(USER, "calculus")
    assert not solution.exists()
    at.button(key="practice_start").click().run()
    starter = solution.read_text()
    assert 'raise NotImplementedError("your code here")' in starter
    assert at.session_state[code_key(USER, "calculus")] == starter

    # a wrong solution: the failing graded check comes first, with its hint
    at.session_state[code_key(USER, "calculus")] = WRONG
    at = check(at)
    assert finished(at.status[0].label) == "fail"
    rows = graded_rows(at)
    assert "fail" in rows[0]["passed"] and rows[0]["check"] == "gradient = autograd at h = 1e-5"
    assert rows[0]["hint"] == "use the centered difference (f(x+h) - f(x-h)) / 2h"
    assert any("pass" in r["passed"] for r in rows[1:])
    assert "Graded checks**: " in texts(at)
    assert solution.read_text() == WRONG  # the editor's text is the learner's file
    assert not verified_on_roadmap("calculus")

    # fixed: a pass, verified at once on this page and on the Roadmap page
    at.session_state[code_key(USER, "calculus")] = RIGHT
    at = check(at)
    assert finished(at.status[0].label) == "pass"
    assert "Verified: your own solution passed every graded check." in texts(at)
    assert all("pass" in r["passed"] for r in graded_rows(at))
    assert "verified" in at.caption[0].value  # the header, after the page reran
    assert verified_on_roadmap("calculus")
    with graph.Store(str(app_env / "data" / "progress.sqlite3")) as s:
        tries = graph.attempts(s, USER, "calculus")
        runs = {r.id: r for r in s.runs(USER, "calculus")}
    assert [(a.status, a.code) for a in tries] == [("pass", RIGHT), ("fail", WRONG)]
    run = runs[tries[0].run_id]
    assert run.verified and run.solution_sha256 == tries[0].code_sha256
    lab = (app_env / "labs" / "calculus.py").read_bytes()
    assert run.lab_sha256 == hashlib.sha256(lab).hexdigest()

    # after a restart (no job in memory), the page shows the last check from the store;
    # one click restores the failed attempt
    st.cache_resource.clear()
    at = practice_app("calculus")
    assert "Last check:" in texts(at) and finished(at.status[0].label) == "pass"
    at.button(key=f"practice_restore_{tries[1].id}").click().run()
    assert at.session_state[code_key(USER, "calculus")] == WRONG == solution.read_text()
    at.button(key="practice_reset").click().run()
    assert at.session_state[code_key(USER, "calculus")] == starter == solution.read_text()


def test_own_editor_check_file_checks_the_file_on_disk(squares: Path) -> None:
    at = practice_app("squares")
    at.button(key="practice_start").click().run()
    solution = graph.solution_path(USER, "squares")
    assert str(solution) in texts(at)  # the path, for your own editor
    wrong = "def square(x):\n    return 3 * abs(x)\n"  # right for 3, wrong for -2
    solution.write_text(wrong)  # saved in another editor
    at.run()
    assert at.session_state[code_key(USER, "squares")] == wrong  # the editor follows it
    at = check(at, key="practice_check_file")
    rows = graded_rows(at)  # the failing check first, with its hint
    assert [r["check"] for r in rows] == ["square(-2) = 4", "square(3) = 9"]
    assert rows[0]["hint"] == "a square is never negative" and rows[1]["hint"] == ""
    assert (rows[0]["expected"], rows[0]["actual"]) == ("4", "6")
    assert "Demonstrations, not graded (1)" in [e.label for e in at.expander]
    solution.write_text("def square(x):\n    return x ** 2\n")
    at = check(at, key="practice_check_file")
    assert finished(at.status[0].label) == "pass"
    assert "Squaring is multiplying a number by itself." in texts(at)  # the takeaway


@pytest.mark.parametrize(("code", "status", "shown"), [
    ("def square(x):\n    while True:\n        pass\n", "timeout", "Your code was stopped"),
    ("def square(x):\n    return x *\n", "error", "line 2: invalid syntax"),
    ("def cube(x):\n    return x ** 3\n", "error", "missing function(s): square"),
])
def test_a_broken_solution_is_contained_and_the_page_says_why(
        squares: Path, code: str, status: str, shown: str) -> None:
    at = practice_app("squares")
    at.button(key="practice_start").click().run()
    at.session_state[code_key(USER, "squares")] = code
    at = check(at)
    assert finished(at.status[0].label) == status
    assert shown in texts(at)
    with graph.Store(str(squares / "data" / "progress.sqlite3")) as s:
        assert [a.status for a in graph.attempts(s, USER, "squares")] == [status]


def test_a_solution_reading_secrets_sees_none_and_the_log_shows_none(
        squares: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = squares / "data" / "progress.sqlite3"
    monkeypatch.setenv("ROADMAP_SECRET_TOKEN", "s3cr3t-t0ken")
    spy = (f"import os\nprint('env:', os.environ.get('ROADMAP_DB_URL'), "
           f"os.environ.get('ROADMAP_SECRET_TOKEN'))\n"
           f"print('db:', os.path.exists({str(db)!r}))\n"
           "def square(x):\n    return x * x\n")
    at = practice_app("squares")
    at.button(key="practice_start").click().run()
    at.session_state[code_key(USER, "squares")] = spy
    at = check(at)
    log = "\n".join(c.value for c in at.code)
    assert "env: None None" in log and "db: False" in log
    assert str(db) not in log.replace(repr(str(db)), "") and "s3cr3t-t0ken" not in log
    if graph.sandbox_info().active:  # the database stays out of the sandbox
        assert finished(at.status[0].label) == "pass"


def test_learn_and_practice_in_spanish_leak_no_english(squares: Path) -> None:
    """The tabs, the editor's words, the check, its table and the attempts in Spanish."""
    from ui.i18n import CATALOGUE

    at = ok(make_app("node", node="squares", lang="es", node_tab=tab_label("learn")))
    assert english_leaks(at) == []
    at.session_state["node_tab"] = _spanish_tab("practice")
    at.run()
    assert english_leaks(ok(at)) == []
    at.button(key="practice_start").click().run()
    at.session_state[code_key(USER, "squares")] = "def square(x):\n    return 3 * abs(x)\n"
    at = check(at)
    assert english_leaks(at) == []  # the editor's own words are checked below
    assert list(at.table[0].value.columns)[:2] == [CATALOGUE["lab.col_passed"]["es"],
                                                   CATALOGUE["lab.col_check"]["es"]]
    editor = json.loads(at.get("bidi_component")[0].proto.json)
    assert editor["labels"]["aria"] == CATALOGUE["practice.editor_aria"]["es"]


def _spanish_tab(name: str) -> str:
    from ui.i18n import CATALOGUE
    from ui.widgets import ICON

    return f"{ICON['tab_' + name]} {CATALOGUE['node.tab_' + name]['es']}"


# --------------------------------------------------------------------------- who may run code
def _no_sandbox(monkeypatch: pytest.MonkeyPatch) -> graph.SandboxInfo:
    box = graph.SandboxInfo(False, "limits-only", "bwrap not found: limits only",
                            "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)")
    monkeypatch.setattr(graph, "sandbox_info", lambda: box)
    return box


@pytest.fixture()
def address() -> Any:
    """Set Streamlit's server.address for one test."""
    from streamlit import config

    before = config.get_option("server.address")
    yield lambda value: config.set_option("server.address", value)
    config.set_option("server.address", before)


def test_check_is_disabled_beyond_localhost_without_the_sandbox(
        squares: Path, monkeypatch: pytest.MonkeyPatch, address: Any) -> None:
    box = _no_sandbox(monkeypatch)
    address("0.0.0.0")
    at = practice_app("squares")
    at.button(key="practice_start").click().run()
    assert at.button(key="practice_check").disabled
    assert at.button(key="practice_check_file").disabled
    why = "\n".join(e.value for e in at.error)
    assert "this app serves beyond 127.0.0.1 (`server.address` = `0.0.0.0`)" in why
    assert box.detail in why and box.fix in why
    # the same machine served on 127.0.0.1 runs learner code, with a warning
    address("127.0.0.1")
    at.run()
    assert not at.button(key="practice_check").disabled
    assert "without the full sandbox" in "\n".join(w.value for w in at.warning)


def _team_app(start: str, email: str, **state: Any) -> AppTest:
    at = AppTest.from_function(_script, kwargs={"start": start, "root": str(ROOT)},
                               default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback",
                          "cookie_secret": "test", "client_id": "x", "client_secret": "y",
                          "server_metadata_url": "http://127.0.0.1:1/.well-known"}
    at.user = {"is_logged_in": True, "email": email}
    for k, v in state.items():
        at.session_state[k] = v
    return ok(at.run())


def test_a_login_requires_the_sandbox_and_names_the_user(
        squares: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_sandbox(monkeypatch)
    at = _team_app("node", "ana@example.org", node="squares",
                   node_tab=tab_label("practice"))
    assert not at.sidebar.selectbox  # no profile picker: the login is the profile
    at.button(key="practice_start").click().run()
    assert graph.solution_path("ana@example.org", "squares").is_file()
    assert at.button(key="practice_check").disabled
    assert "this app has a login (`[auth]`)" in "\n".join(e.value for e in at.error)


def test_team_mode_only_admins_add_members_and_statuses_are_your_own(app_env: Path) -> None:
    with graph.Store(str(app_env / "data" / "progress.sqlite3")) as s:
        for name in ("ana@example.org", "bob@example.org"):
            s.add_user(name)
        s.add_team("ml-team", admin="bob@example.org")
    at = _team_app("team", "ana@example.org")
    assert at.selectbox(key="team_join_team").options == []
    assert "Only a team's admins add or remove its members." in texts(at)
    at = _team_app("team", "bob@example.org")
    assert at.selectbox(key="team_join_team").options == ["ml-team"]
    at = _team_app("node", "ana@example.org", node="calculus")
    at.button(key="st_done").click().run()
    with graph.Store(str(app_env / "data" / "progress.sqlite3")) as s:
        assert s.status("ana@example.org", "calculus") == "done"
        assert s.status("bob@example.org", "calculus") == "todo"
