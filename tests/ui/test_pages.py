"""AppTest drives every page of the app on a temp roadmap and database."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import (
    _script,
    english_leaks,
    finished,
    graph_data,
    make_app,
    ok,
    texts,
    visible_text,
)
from tests.ui.conftest import ROOT


def test_roadmap_page_draws_every_node(app_env: Path) -> None:
    at = ok(make_app("roadmap"))
    assert "5 nodes" in texts(at)
    data = graph_data(at)
    titles = {n["id"]: n["title"] for n in data["nodes"]}
    assert titles == {"calculus": "Calculus", "linear-algebra": "Linear algebra",
                      "backpropagation": "Backpropagation", "crashing-lab": "Crashing lab",
                      "slow-lab": "Slow lab"}
    for n in data["nodes"]:  # the full title, wrapped into the box's lines
        assert " ".join(n["lines"]) == n["title"]
    assert data["match"] is None and data["path"] == [] and data["target"] is None
    assert data["labels"]["unlocks"] == "unlocks {n}"
    assert [s["title"] for s in data["sections"]] == ["Foundations", "Practice"]
    # the search box and the filter chips work in the browser, on these
    assert data["controls"] is True
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["backpropagation"]["keywords"].split("\n") == [
        "backpropagation", "backpropagation", "retropropagación", "backpropagation-tag"]
    assert data["targets"][0] == ["backpropagation", "Backpropagation (backpropagation)"]
    assert len(data["targets"]) == 5
    assert not at.get("plotly_chart")  # no Plotly on this page
    assert len(at.get("bidi_component")) == 1
    assert not at.main.text_input and not at.main.selectbox  # no widget beside the graph


def _record(tmp: Path) -> None:
    """calculus done and verified (a passing run of the learner's own solution),
    linear-algebra learning, crashing-lab skipped."""
    from graph import Store

    with Store(str(tmp / "data" / "progress.sqlite3")) as s:
        s.add_user("local")
        s.set_status("local", "calculus", "done")
        s.set_status("local", "linear-algebra", "learning")
        s.set_status("local", "crashing-lab", "skipped")
        s.record_run("local", {"node": "calculus", "status": "pass", "solution": "learner",
                               "started_at": "2026-01-02T10:00:00+00:00", "duration_s": 1.0,
                               "device": "cpu", "quick": True, "result": {}})


def test_roadmap_marks_statuses_and_verified_from_the_store(app_env: Path) -> None:
    _record(app_env)
    by_id = {n["id"]: n for n in graph_data(ok(make_app("roadmap")))["nodes"]}
    assert {k: (n["status"], n["verified"]) for k, n in by_id.items()} == {
        "calculus": ("done", True), "linear-algebra": ("learning", False),
        "crashing-lab": ("skipped", False), "backpropagation": ("todo", False),
        "slow-lab": ("todo", False)}
    assert by_id["calculus"]["unlocks"] == 2 and by_id["calculus"]["hours"] == 2


def test_roadmap_target_lights_the_remaining_path(app_env: Path) -> None:
    _record(app_env)
    at = ok(make_app("roadmap", rm_target="slow-lab"))  # as a pick in the graph leaves it
    data = graph_data(at)
    # calculus is done: linear algebra, then backpropagation, then the target
    assert data["path"] == ["linear-algebra", "backpropagation", "slow-lab"]
    assert data["target"] == "slow-lab" and data["match"] is None
    assert "Path to **Slow lab**: 3 steps, 6 h" in texts(at)
    at.session_state["rm_target"] = "calculus"  # done already
    at.run()
    assert graph_data(ok(at))["path"] == [] and "You have finished this target" in texts(at)
    at.session_state["rm_target"] = "no-such-node"  # an id that has gone: no target
    at.run()
    assert graph_data(ok(at))["target"] is None and "Path to" not in texts(at)


def test_a_click_in_the_graph_opens_the_node_page(app_env: Path) -> None:
    """The click the component sends is in the session state at the start of the next run
    (AppTest cannot run the component's script: the click is put there as it would be)."""
    at = ok(make_app("roadmap"))
    at.session_state["rm_graph"] = {"clicked": "backpropagation"}
    at.run()
    assert ok(at).title[0].value.endswith("Backpropagation")
    assert at.session_state["node"] == "backpropagation"


def test_roadmap_layout_is_computed_once_per_content_and_language(
        app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph

    calls: list[str] = []
    real = graph.layered_layout

    def counting(rm, lang="en", options=None):  # type: ignore[no-untyped-def]
        calls.append(lang)
        return real(rm, lang, options)

    monkeypatch.setattr(graph, "layered_layout", counting)
    at = ok(make_app("roadmap"))
    at.run()  # a rerun
    ok(make_app("roadmap"))  # another session
    assert calls == ["en"]
    at.sidebar.radio(key="lang_pick").set_value("es").run()
    assert " ".join(graph_data(ok(at))["nodes"][0]["lines"]) in {
        "Cálculo", "Álgebra lineal", "Retropropagación", "Laboratorio que falla",
        "Laboratorio lento"}
    assert calls == ["en", "es"]


def test_spanish_switch_changes_titles(app_env: Path) -> None:
    at = ok(make_app("node", node="calculus"))
    assert at.title[0].value.endswith("Calculus")
    at.sidebar.radio(key="lang_pick").set_value("es").run()
    assert ok(at).title[0].value.endswith("Cálculo")


def test_select_node_set_status_and_note(app_env: Path) -> None:
    at = ok(make_app("node", node="backpropagation"))
    assert "Locked because you have not done" in texts(at)
    at.button(key="st_done").click().run()
    at = ok(make_app("node", node="backpropagation"))  # a fresh session reads the store
    assert "done" in at.caption[0].value
    at.text_area(key="note_text_backpropagation").input("chain rule, twice")
    at.button[[b.label for b in at.button].index("Save note")].click().run()
    at = ok(make_app("node", node="backpropagation"))
    assert at.text_area(key="note_text_backpropagation").value == "chain rule, twice"
    at.button(key="st_todo").click().run()
    at = ok(make_app("node", node="backpropagation"))
    assert "to do" in at.caption[0].value


def test_unknown_node_suggests(app_env: Path) -> None:
    at = ok(make_app("node", node="calculu"))
    assert "There is no node `calculu`" in texts(at)
    assert any("Calculus" in b.label for b in at.button)


def _run_lab(at: AppTest, limit: float = 60) -> AppTest:
    at.button(key="lab_run").click().run()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
        if any(finished(s.label) for s in at.status):
            return ok(at)
    raise AssertionError(f"the lab did not finish: {texts(at)[-2000:]}")


def test_quick_lab_finishes_with_checks(app_env: Path) -> None:
    at = ok(make_app("node", node="calculus"))
    at = _run_lab(at)
    assert finished(at.status[0].label) == "pass"
    table = at.dataframe[0].value
    assert len(table) >= 2 and set(table["passed"]) == {True}
    # the run is recorded and listed in the history; a new session shows the last run
    at = ok(make_app("node", node="calculus"))
    assert finished(at.status[0].label) == "pass"
    assert "pass" in list(at.dataframe[-1].value["status"])


@pytest.mark.parametrize(("node", "status"), [("crashing-lab", "ERROR"),
                                              ("slow-lab", "TIMEOUT")])
def test_failing_labs_show_status_and_log(app_env: Path, node: str, status: str) -> None:
    at = _run_lab(ok(make_app("node", node=node)))
    assert status in at.status[0].label
    log = "\n".join(c.value for c in at.code)
    assert ("about to crash" in log) if node == "crashing-lab" else ("sleeping" in log)


def test_learning_path_and_next_up(app_env: Path) -> None:
    at = ok(make_app("path"))
    at.selectbox(key="path_target").set_value("slow-lab").run()
    body = texts(ok(at))
    assert "4 steps" in body and "8 h" in body
    labels = [b.label for b in at.button]
    assert any("Calculus" in lb for lb in labels)
    assert "unlocks 1" in body  # calculus and linear algebra each open one node


def test_progress_export_and_import(app_env: Path) -> None:
    at = ok(make_app("node", node="calculus"))
    at.button(key="st_done").click().run()
    at = ok(make_app("progress"))
    assert "1/5" in texts(at)
    doc = json.loads(_export(app_env))
    assert [s["node"] for s in doc["statuses"]] == ["calculus"]
    # import into a new profile through the pasted-JSON box
    doc["user"]["name"] = "ana"
    at = ok(make_app("progress", user="ana"))
    at.text_area(key="import_text").input(json.dumps(doc)).run()
    at.button(key="import_btn").click().run()
    assert "Imported into ana: 1 statuses" in texts(ok(at))
    at = ok(make_app("progress", user="ana"))
    assert "1/5" in texts(at)
    # a broken file changes nothing and says why
    at.text_area(key="import_text").input('{"format": "nope"}').run()
    at.button(key="import_btn").click().run()
    assert "nothing was imported" in texts(ok(at)).lower()


def _export(tmp: Path) -> str:
    from graph import Store

    with Store(str(tmp / "data" / "progress.sqlite3")) as s:
        return json.dumps(s.export_user("local"), default=str)


def test_team_page(app_env: Path) -> None:
    from graph import Store

    with Store(str(app_env / "data" / "progress.sqlite3")) as s:
        s.add_user("ana")
        s.add_user("ben")
        s.add_team("ml", admin="ana")
        s.join_team("ml", "ben")
        s.set_status("ana", "calculus", "done")
    at = ok(make_app("team"))
    assert at.get("plotly_chart"), texts(at)
    assert "Nobody covers" in texts(at) and "Bus factor 1" in texts(at)
    at.selectbox(key="team_help").set_value("calculus").run()
    assert "**ana**" in texts(ok(at))


def test_system_page(app_env: Path) -> None:
    at = ok(make_app("system"))
    body = texts(at)
    assert "progress.sqlite3" in body
    assert "Labs" in body


def test_database_that_cannot_open(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = app_env / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("ROADMAP_DB_URL", str(bad))
    at = ok(make_app("progress"))
    body = texts(at)
    assert "cannot be opened" in body and "ROADMAP_DB_URL" in body
    ok(make_app("roadmap"))  # the graph still draws, every node todo


def test_password_hidden_on_system_page(app_env: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.setenv("ROADMAP_DB_URL", "postgresql://ana:s3cret@127.0.0.1:1/roadmap")
    at = ok(make_app("system"))
    body = texts(at)
    assert "s3cret" not in body and "***" in body


def test_gpu_lab_waits_for_the_lock(app_env: Path) -> None:
    """Another GPU lab holds the lock (as a second tab would): this one waits and says so."""
    import fcntl

    lock = app_env / "data" / "gpu.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        at = ok(make_app("node", node="slow-lab"))
        at.selectbox(key="lab_device").set_value("cuda").run()
        at.button(key="lab_run").click().run()
        deadline = time.monotonic() + 20
        while "waiting for the GPU lock" not in texts(at) and time.monotonic() < deadline:
            time.sleep(0.3)
            at.run()
        assert "waiting for the GPU lock" in texts(ok(at))
        at.button(key="lab_cancel").click().run()
        deadline = time.monotonic() + 20
        while not any(finished(s.label) == "cancelled" for s in at.status):
            assert time.monotonic() < deadline, texts(at)
            time.sleep(0.3)
            at.run()
    assert "CANCELLED" in ok(at).status[0].label


def test_roadmap_page_at_300_nodes(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """300 nodes: every one drawn with its full title, no two boxes overlapping."""
    import random

    root = app_env / "rm300"
    (root / "s").mkdir(parents=True)
    (root / "sections.yaml").write_text("sections:\n  - {id: s, title: S, order: 1}\n")
    rng = random.Random(0)
    for i in range(300):
        pre = sorted({f"n{j}" for j in rng.sample(range(i), min(i, 2))}) if i else []
        (root / "s" / f"n{i}.yaml").write_text(
            f"id: n{i}\ntitle: Node number {i} of the generated roadmap\nsummary: s\n"
            f"level: beginner\nestimate_hours: 1\nprerequisites: {pre}\n")
    monkeypatch.setenv("ROADMAP_DIR", str(root))
    data = graph_data(ok(make_app("roadmap")))
    assert len(data["nodes"]) == 300
    for n in data["nodes"]:
        assert " ".join(n["lines"]) == f"Node number {n['id'][1:]} of the generated roadmap"
    boxes = sorted((n["x"], n["y"] - n["h"] / 2, n["y"] + n["h"] / 2) for n in data["nodes"])
    for (x1, _, bottom), (x2, top, _) in zip(boxes, boxes[1:], strict=False):
        assert x1 != x2 or top >= bottom, "two boxes of a column overlap"


def test_login_required_when_auth_is_configured(app_env: Path) -> None:
    at = AppTest.from_function(_script, kwargs={"start": "roadmap", "root": str(ROOT)},
                               default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback",
                          "cookie_secret": "x", "client_id": "x", "client_secret": "x",
                          "server_metadata_url": "https://idp.example.org/.well-known/x"}
    at.run()
    assert [b.label for b in ok(at).button] == ["Log in"]
    assert not at.get("bidi_component")  # nothing of the roadmap before the login


# --------------------------------------------------------------------------- in Spanish
def _seed(tmp: Path) -> None:
    """Two profiles in a team, statuses, a note, and a recorded (verified) run of calculus
    whose folder holds its log and result, as the runner leaves them."""
    from graph import Store

    run_dir = tmp / "data" / "runs" / "calculus-demo"
    run_dir.mkdir(parents=True)
    (run_dir / "log.txt").write_text("checking the derivative\nall good\n")
    result = {"checks": [{"name": "derivative", "passed": True, "expected": 2.0,
                          "actual": 2.0, "tolerance": 1e-6, "message": ""}],
              "metrics": [{"name": "max_error", "value": 1e-9, "unit": ""}]}
    (run_dir / "result.json").write_text(json.dumps(result))
    with Store(str(tmp / "data" / "progress.sqlite3")) as s:
        for name in ("local", "ana"):
            s.add_user(name)
        s.add_team("ml", admin="local")
        s.join_team("ml", "ana")
        s.set_status("local", "linear-algebra", "done")
        s.set_status("local", "calculus", "learning")
        s.set_note("local", "calculus", "limits first")
        s.set_status("ana", "calculus", "done")
        s.record_run("local", {"node": "calculus", "status": "pass", "solution": "learner",
                               "started_at": "2026-01-02T10:00:00+00:00", "duration_s": 1.5,
                               "device": "cpu", "quick": True, "result": result,
                               "log_path": str(run_dir / "log.txt")})


SPANISH_PAGES = [
    # (page, session state: the selected node, widget values; Spanish texts it must show)
    ("roadmap", {"rm_target": "slow-lab"}, ["Mapa", "nodos", "Buscar título o etiqueta",
                                            "Retropropagación", "Fundamentos", "Acercar",
                                            "desbloquea ", "Ruta hacia **Laboratorio lento**"]),
    ("node", {"node": "calculus"}, ["Cálculo", "verificado", "Laboratorio", "Última ejecución",
                                    "SUPERADO", "comprobación", "Historial de ejecuciones",
                                    "tuya"]),
    ("node", {"node": "slow-lab"}, ["Laboratorio lento", "Bloqueado porque"]),
    ("node", {}, ["Elige un nodo"]),
    ("node", {"node": "calculu"}, ["No hay ningún nodo `calculu`", "Cálculo (`calculus`)"]),
    ("path", {"path_target": "slow-lab"}, ["Ruta de aprendizaje", "pasos", "desbloquea"]),
    ("progress", {}, ["Mi progreso", "Verificados con laboratorio", "Completados",
                      "Exportar mi progreso", "o pega el JSON", "Evidencia y repasos",
                      "declarado", "retención"]),
    ("team", {"team_help": "calculus"}, ["Equipo", "Nadie los cubre", "**ana**",
                                         "Gestionar equipos", "declarado", "Factor autobús 1",
                                         "Cobertura por nodo", "Descargar Excel",
                                         "Distancia a un perfil"]),
    ("review", {}, ["Repaso", "semilla nueva", "Comprobar (semilla", "retención",
                    "Próximos repasos"]),
    ("system", {}, ["Sistema", "Base de datos", "Laboratorios", "Carpeta de datos"]),
]


@pytest.mark.parametrize(("start", "session", "expected"), SPANISH_PAGES,
                         ids=[f"{p[0]}-{k}" for k, p in enumerate(SPANISH_PAGES)])
def test_every_page_in_spanish(app_env: Path, start: str, session: dict[str, str],
                               expected: list[str]) -> None:
    """Each page in Spanish shows its Spanish texts and no phrase of the English ones."""
    _seed(app_env)
    at = ok(make_app(start, lang="es", **session))
    shown = "\n".join(visible_text(at))
    assert [x for x in expected if x not in shown] == [], shown
    assert english_leaks(at) == []
    # and the same page in English shows the English texts the check looks for
    at.sidebar.radio(key="lang_pick").set_value("en").run()
    assert english_leaks(ok(at)), "the English check finds nothing to find"


def test_spanish_lab_run_and_status_buttons(app_env: Path) -> None:
    """A run started in Spanish streams and ends with a Spanish status; buttons are Spanish."""
    at = ok(make_app("node", lang="es", node="crashing-lab"))
    labels = [b.label for b in at.button]
    assert {"aprendiendo", "hecho", "omitir", "reiniciar", "Ejecutar laboratorio"} <= set(
        labels)
    at.button(key="lab_run").click().run()
    deadline = time.monotonic() + 60
    while not any(s.label.startswith(":material/error: ERROR") for s in at.status):
        assert time.monotonic() < deadline, visible_text(at)
        time.sleep(0.5)
        at.run()
    assert english_leaks(ok(at)) == []
