"""The Node page's Learn and Practice tabs: the lesson, and the exercise written and checked
in the browser.

Learn shows the objectives and the lesson (the lab's module docstring, parsed, never
imported). Practice is the exercise: *Start exercise* writes the starter to the learner's
solution file (``graph.solution_path``, the file ``roadmap lab start`` writes) unless it
exists; the editor (``ui.components.code_editor``) edits that file, which keeps it between
sessions, and takes changes made to it in another editor. *Check* saves the code as a
practice attempt in the store and runs the lab with it through ``ui.jobs`` (quick, in the
background, learner code in the sandbox), showing the live log, then every graded check
(expected, actual, tolerance), the failing ones first, each with its hint. A pass is
recorded as the user's verified run, so the node's ★ shows on the Roadmap page at once.
The last attempts come back with one click. *Use my own editor* shows the file's path and
checks the file as it is on disk.

Where the app is shared (``ui.access``), learner code runs only in the full sandbox; without
it the Check buttons are disabled with the reason and the fix.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

import graph
from graph import LabRun, Node, Roadmap, RoadmapError, Store
from ui import access, jobs, runview, state, widgets
from ui.components.code_editor import code_editor, editor_value
from ui.i18n import t
from ui.widgets import ICON

KIND = "practice"  # the job kind of a check in ui.jobs
ATTEMPTS = 10  # attempts listed


# --------------------------------------------------------------------------- session keys
def code_key(user: str, node_id: str) -> str:
    """Where the session keeps the code in the editor of ``user`` for ``node_id`` (a test
    sets it to type into the editor)."""
    return f"practice_code:{user}:{node_id}"


def _rev_key(user: str, node_id: str) -> str:
    return f"practice_rev:{user}:{node_id}"


def _known_key(user: str, node_id: str) -> str:
    """The sha256 of the solution file as this session last read or wrote it."""
    return f"practice_known:{user}:{node_id}"


def _editor_key(user: str, node_id: str) -> str:
    return f"practice_editor:{user}:{node_id}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- Learn
def learn(rm: Roadmap, node: Node) -> None:
    """The objectives, then the lesson: the lab's docstring."""
    st.subheader(t("node.objectives"))
    for o in node.objectives:
        st.markdown(f"- {o}")
    st.subheader(f"{ICON['lesson']} {t('practice.lesson')}")
    path = rm.lab_path(node.id)
    if node.lab is None or path is None or not path.is_file():
        st.caption(t("practice.no_lesson"))
        return
    try:
        text = graph.lab_lesson(path)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not text:
        st.caption(t("practice.no_lesson"))
        return
    st.markdown(lesson_markdown(text))
    st.caption(t("practice.lesson_source", script=node.lab.script))


_CODE_SPAN = re.compile(r"``(.+?)``|`([^`\n]+)`")
_SPECIAL = re.compile(r"([\\*_$\[\]|~<>#`])")


def _inline(text: str) -> str:
    """One line of prose as Markdown: ``code`` (RST) and `code` become code spans, and
    every other character Markdown (or Streamlit: ``$`` is LaTeX) would read is escaped."""
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_SPECIAL.sub(r"\\\1", text[pos:m.start()]))
        out.append(f"`{m.group(1) or m.group(2)}`")
        pos = m.end()
    out.append(_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)


def lesson_markdown(text: str) -> str:
    r"""A lab's docstring as Markdown: prose paragraphs reflowed and escaped, bullet
    lists kept, ``$ command`` lines and indented blocks as code blocks.

    Examples
    --------
    >>> print(lesson_markdown("Attention: softmax(Q K^T) V, costs $n^2$.\n\n"
    ...                       "- a *mask*\n\n$ python labs/x.py --quick"))
    Attention: softmax(Q K^T) V, costs \$n^2\$.
    <BLANKLINE>
    - a \*mask\*
    <BLANKLINE>
    ```bash
    $ python labs/x.py --quick
    ```
    """
    blocks = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        lines = para.splitlines()
        if all(line.startswith("$ ") for line in lines):
            blocks.append("```bash\n" + "\n".join(lines) + "\n```")
        elif all(line.startswith("    ") or not line.strip() for line in lines):
            code = "\n".join(line[4:] for line in lines)
            blocks.append("```python\n" + code + "\n```")
        elif re.match(r"[-*] ", lines[0]):
            items: list[str] = []
            for line in lines:
                if re.match(r"\s*[-*] ", line) or not items:
                    items.append(re.sub(r"^\s*[-*] ", "", line))
                else:
                    items[-1] += " " + line.strip()
            blocks.append("\n".join(f"- {_inline(i)}" for i in items))
        else:
            blocks.append(_inline(" ".join(line.strip() for line in lines)))
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- Practice
@dataclass(frozen=True)
class _Here:
    """The exercise on screen: what the buttons' callbacks act on."""

    rm: Roadmap
    store: Store
    node: Node
    lab: Path  # the lab file
    who: str
    solution: Path  # the learner's file


def practice(rm: Roadmap, store: Store | None, node: Node) -> None:
    """The exercise of ``node``: start, edit, check, the result, the attempts."""
    path = rm.lab_path(node.id)
    if node.lab is None or path is None or not path.is_file():
        st.caption(t("lab.none") if node.lab is None
                   else t("lab.script_missing", script=node.lab.script))
        return
    try:
        names = graph.exercises_of(path)
    except RoadmapError:
        st.info(t("practice.no_exercises"))
        return
    if store is None:
        st.caption(t("node.cannot_save"))
        return
    who = state.user()
    solution = graph.solution_path(who, node.id)
    _show_pending_error()
    _sync_from_file(who, node.id, solution)
    code = st.session_state.get(code_key(who, node.id))
    functions = ", ".join(f"`{n}`" for n in names)
    policy = access.code_policy()
    here = _Here(rm, store, node, path, who, solution)
    if code is None:
        st.markdown(t("practice.intro", functions=functions))
        st.button(t("practice.start"), key="practice_start", type="primary",
                  icon=ICON["start"], on_click=_start, args=(here,))
        st.caption(t("practice.start_cli", node=node.id))
        return
    st.markdown(t("practice.write", functions=functions))
    job = jobs.registry().get(who, node.id, KIND)
    running = job is not None and not job.done
    missing = graph.missing_requirements(rm, node.id)
    can_check = policy.allowed and not running and not missing
    code_editor(code, rev=st.session_state.get(_rev_key(who, node.id), 0),
                key=_editor_key(who, node.id), readonly=running,
                labels={"aria": t("practice.editor_aria"), "hint": t("practice.editor_hint"),
                        "position": t("practice.editor_position")},
                on_change=partial(_typed, here), on_submit=partial(_on_check, here))
    _policy_notice(policy)
    if missing:
        st.warning(t("lab.needs_modules", modules=", ".join(missing)))
    c1, c2, c3 = st.columns([1, 1, 1])
    # callbacks run before the page does: the job starts before the page is drawn, so the
    # same run shows its live log (no second run of the page)
    c1.button(t("practice.check"), key="practice_check", type="primary", icon=ICON["check"],
              disabled=not can_check, width="stretch", help=_disabled_help(policy),
              on_click=_on_check, args=(here,))
    c2.button(t("practice.reset"), key="practice_reset", icon=ICON["reset"],
              disabled=running, width="stretch", on_click=_reset, args=(here,))
    c3.button(t("lab.cancel"), key="practice_cancel", icon=ICON["cancel"],
              disabled=not running, width="stretch", on_click=_cancel, args=(here,))
    _own_editor(here, can_check, policy)
    if job is not None:
        if job.done:
            _verdict(job.run)
        else:
            runview.live(job, t("practice.checking", node=node.id))
    else:
        _last_check(store, who, node.id)
    _attempts(here, running)


def _policy_notice(policy: access.CodePolicy) -> None:
    """Why Check is disabled (a shared app without the full sandbox), or how learner code
    runs here when the sandbox is missing on a local app."""
    box = policy.sandbox
    if box is None or box.active:
        return
    if not policy.allowed and policy.reason is not None:
        key, args = policy.reason
        st.error(t("practice.sandbox_required", reason=t(key, **args), detail=box.detail,
                   fix=box.fix), icon=ICON["sandbox"])
    else:
        st.warning(t("practice.sandbox_missing", detail=box.detail, fix=box.fix),
                   icon=ICON["sandbox"])


def _disabled_help(policy: access.CodePolicy) -> str | None:
    if policy.allowed or policy.reason is None or policy.sandbox is None:
        return None
    key, args = policy.reason
    return t("practice.sandbox_required", reason=t(key, **args), detail=policy.sandbox.detail,
             fix=policy.sandbox.fix)


# --------------------------------------------------------------------------- the file
def _write(solution: Path, text: str) -> None:
    """Write the learner's file whole (a temp file renamed over it)."""
    solution.parent.mkdir(parents=True, exist_ok=True)
    tmp = solution.with_name(f".{solution.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, solution)


def _read(solution: Path) -> str | None:
    try:
        return solution.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _load(who: str, node_id: str, text: str) -> None:
    """Put ``text`` in the editor (a new revision replaces what it shows)."""
    st.session_state[code_key(who, node_id)] = text
    st.session_state[_known_key(who, node_id)] = _sha(text)
    rev = _rev_key(who, node_id)
    st.session_state[rev] = st.session_state.get(rev, 0) + 1


def _save(who: str, node_id: str, solution: Path, text: str) -> bool:
    """Write ``text`` to the learner's file and note it as known; False (and a message for
    the next run) when the file cannot be written."""
    try:
        _write(solution, text)
    except OSError as exc:
        st.session_state["practice_error"] = t("practice.cannot_write", path=solution,
                                               error=exc)
        return False
    st.session_state[_known_key(who, node_id)] = _sha(text)
    return True


def _show_pending_error() -> None:
    msg = st.session_state.pop("practice_error", None)
    if msg:
        st.error(msg)


def _sync_from_file(who: str, node_id: str, solution: Path) -> None:
    """Take the file into the editor the first time, and whenever it changed on disk since
    this session last read or wrote it (someone edits it in their own editor)."""
    disk = _read(solution) if solution.is_file() else None
    key = code_key(who, node_id)
    if disk is None:
        return
    if key not in st.session_state:
        _load(who, node_id, disk)
        return
    if _sha(disk) != st.session_state.get(_known_key(who, node_id)) and \
            disk != st.session_state[key]:
        _load(who, node_id, disk)
        st.toast(t("practice.loaded_file"), icon=ICON["import"])


def _typed(here: _Here) -> None:
    """The editor sent new text: keep it, and write it to the learner's file."""
    text = editor_value(_editor_key(here.who, here.node.id))
    if text is None or text == st.session_state.get(code_key(here.who, here.node.id)):
        return
    st.session_state[code_key(here.who, here.node.id)] = text
    _save(here.who, here.node.id, here.solution, text)


def _start(here: _Here) -> None:
    """Write the starter unless the learner's file exists; load the file."""
    try:
        if not here.solution.is_file():
            _write(here.solution, graph.make_starter(here.lab, here.node.id))
    except (OSError, RoadmapError) as exc:
        st.session_state["practice_error"] = t("practice.cannot_start", error=exc)
        return
    text = _read(here.solution)
    if text is not None:
        _load(here.who, here.node.id, text)


def _reset(here: _Here) -> None:
    try:
        text = graph.make_starter(here.lab, here.node.id)
    except RoadmapError as exc:
        st.session_state["practice_error"] = t("practice.cannot_start", error=exc)
        return
    _load(here.who, here.node.id, text)
    if _save(here.who, here.node.id, here.solution, text):
        st.toast(t("practice.reset_done"), icon=ICON["reset"])


def _load_file(here: _Here) -> None:
    text = _read(here.solution)
    if text is not None:
        _load(here.who, here.node.id, text)


def _restore(here: _Here, code: str) -> None:
    _load(here.who, here.node.id, code)
    if _save(here.who, here.node.id, here.solution, code):
        st.toast(t("practice.restored"), icon=ICON["restore"])


# --------------------------------------------------------------------------- checking
def _on_check(here: _Here, from_file: bool = False) -> None:
    """Check (or Ctrl+Enter, or Check file): the editor's latest text, or the file on disk."""
    if not access.code_policy().allowed or jobs.registry().running(here.who, here.node.id,
                                                                    KIND):
        return  # a page drawn before things changed
    if from_file:
        text = _read(here.solution)
        if text is None:
            return
        _load(here.who, here.node.id, text)
    else:
        _typed(here)  # the text the editor sent with this click, if it came first
        text = st.session_state.get(code_key(here.who, here.node.id))
        if text is None:
            return
    _check(here, text)


def _check(here: _Here, code: str) -> None:
    """Save the attempt, write the file, start the lab with it in the background."""
    node, who = here.node, here.who
    if not _save(who, node.id, here.solution, code):
        return
    try:
        attempt = graph.save_attempt(here.store, who, node.id, code)
    except RoadmapError as exc:
        st.session_state["practice_error"] = str(exc)
        return
    assert node.lab is not None  # the tab checks it before offering Check
    jobs.registry().start(
        here.rm, who, node.id, kind=KIND, device="cpu" if node.lab.gpu == "no" else "auto",
        quick=True, solution=here.solution, sandbox=True,
        require_sandbox=access.code_policy().required,
        recorder=graph.practice_recorder(attempt.id, state.db_url()))


def _cancel(here: _Here) -> None:
    job = jobs.registry().get(here.who, here.node.id, KIND)
    if job is not None:
        job.cancel()


def _own_editor(here: _Here, can_check: bool, policy: access.CodePolicy) -> None:
    """Use my own editor: the file's path, and a button that checks the file on disk."""
    with st.expander(f"{ICON['file']} {t('practice.own_editor')}"):
        st.markdown(t("practice.own_editor_how"))
        st.code(str(here.solution), language=None)
        if access.team_mode():
            st.caption(t("practice.own_editor_server"))
        c1, c2 = st.columns(2)
        on_disk = here.solution.is_file()
        c1.button(t("practice.check_file"), key="practice_check_file", icon=ICON["check"],
                  disabled=not can_check or not on_disk, help=_disabled_help(policy),
                  on_click=_on_check, args=(here, True))
        c2.button(t("practice.load_file"), key="practice_load_file", icon=ICON["import"],
                  disabled=not on_disk, on_click=_load_file, args=(here,))
        st.caption(t("practice.cli_check", node=here.node.id, path=here.solution))


# --------------------------------------------------------------------------- results
def _verdict(run: LabRun | None) -> None:
    """A finished check: verified or not, the graded checks failing first, the log."""
    if run is None:
        return
    _verdict_of(run.status, run.message, run.duration_s, run.tail or [], run.result or {},
                run.verified)


def _verdict_of(status: str, message: str, duration: float | None, log: list[str],
                result: dict[str, Any], verified: bool) -> None:
    if verified:
        st.success(t("practice.verified"), icon=ICON["verified"])
    elif status == "timeout":
        st.error(t("practice.timed_out", message=message), icon=widgets.RUN_ICON["timeout"])
    checks = result.get("checks") or []
    graded = [c for c in checks if c.get("graded", True)]
    shown = [c for c in checks if not c.get("graded", True)]
    if status in ("pass", "fail") and graded:  # the runner's words for these, translated
        message = t("lab.checks_passed", passed=sum(1 for c in graded if c.get("passed")),
                    total=len(graded))
    # the log stays folded when the checks below say what happened
    runview.status_box(status, message, duration, log, expanded=not graded and status != "pass")
    if graded:
        failed = [c for c in graded if not c.get("passed")]
        st.markdown(t("practice.graded", passed=len(graded) - len(failed), total=len(graded)))
        st.table(_rows(failed + [c for c in graded if c.get("passed")]))
    if verified and result.get("takeaway"):
        st.info(str(result["takeaway"]), icon=ICON["lesson"])
    if shown:
        with st.expander(t("practice.shown", n=len(shown))):
            st.table(_rows(shown))


def _rows(checks: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Checks as table rows (cells are Markdown: escaped); a column nobody fills is left
    out (tolerances for exact checks, messages)."""
    def s(v: Any) -> str:
        return "" if v is None else _SPECIAL.sub(r"\\\1", str(v))

    rows = []
    for c in checks:
        ok_ = bool(c.get("passed"))
        mark = widgets.RUN_ICON["pass" if ok_ else "fail"]
        rows.append({
            t("lab.col_passed"): f"{mark} {t('run.pass' if ok_ else 'run.fail')}",
            t("lab.col_check"): s(c.get("name")), t("lab.col_expected"): s(c.get("expected")),
            t("lab.col_actual"): s(c.get("actual")),
            t("lab.col_tolerance"): s(c.get("tolerance")),
            t("practice.col_hint"): "" if ok_ else s(c.get("hint")),
            t("lab.col_message"): s(c.get("message"))})
    keep = [k for k in rows[0] if any(r[k] for r in rows)] if rows else []
    return [{k: r[k] for k in keep} for r in rows]


def _last_check(store: Store, who: str, node_id: str) -> None:
    """The latest finished check of this node (from its run folder, when still there)."""
    try:
        tries = graph.attempts(store, who, node_id, limit=ATTEMPTS)
        runs = {r.id: r for r in store.runs(who, node_id)}
    except RoadmapError:
        return
    for a in tries:
        r = runs.get(a.run_id) if a.run_id is not None else None
        if r is None:
            continue
        _run_dir, log, result = runview.run_files(r.log_path)
        st.caption(t("practice.last_check", when=f"{r.started_at:%Y-%m-%d %H:%M}"))
        msg = (t("lab.checks_passed", passed=r.checks_passed, total=r.checks_total)
               if r.checks_total is not None else "")
        _verdict_of(r.status, msg, r.duration_s, log, result, r.verified)
        return


def _attempts(here: _Here, running: bool) -> None:
    """The last attempts, newest first: when, result, code; one click restores one."""
    st.subheader(f"{ICON['history']} {t('practice.attempts')}")
    try:
        tries = graph.attempts(here.store, here.who, here.node.id, limit=ATTEMPTS)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not tries:
        st.caption(t("practice.no_attempts"))
        return
    for k, a in enumerate(tries):
        c1, c2, c3, c4 = st.columns([2.2, 1.6, 1.2, 1.2], vertical_alignment="center")
        c1.markdown(t("practice.attempt_when", when=f"{a.created_at:%Y-%m-%d %H:%M:%S}"))
        if a.status is not None:
            c2.markdown(widgets.run_label(a.status))
        else:
            c2.markdown(t("practice.attempt_running" if running and k == 0
                          else "practice.attempt_unfinished"))
        with c3.popover(t("practice.show_code"), icon=ICON["code"]):
            st.caption(t("practice.attempt_lines", lines=len(a.code.splitlines()),
                         sha=a.code_sha256[:12]))
            st.code(a.code, language="python")
        c4.button(t("practice.restore"), key=f"practice_restore_{a.id}", icon=ICON["restore"],
                  disabled=running, on_click=_restore, args=(here, a.code))

