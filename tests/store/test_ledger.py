"""The knowledge ledger on each database: evidence, the review schedule, implicit credit,
invalidation by a lab edit, a team's coverage and its export, role gaps.

The clock is moved with ``ROADMAP_NOW``, as a person demonstrating the ledger would.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph import (
    EVIDENCE_COLOURS,
    Roadmap,
    Store,
    coverage_table,
    lab_files,
    load_roadmap,
    reviews_due,
    role_gaps,
    solution_path,
    table_bytes,
    team_ledger,
    user_ledger,
)
from tests.factory import make, node_yaml
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DUE = math.log2(1 / 0.6)  # a node falls due this many intervals after its last review


def day(d: float) -> datetime:
    return T0 + timedelta(days=d)


@pytest.fixture
def lrm(tmp_path: Path) -> Roadmap:
    """intro -> tensors -> autograd -> training <- linear <- intro; deploy; each with a lab.
    A pass of autograd reviews 0.8 of tensors (``encompasses``); a role targets training."""
    root = make(tmp_path, {
        "basics/intro.yaml": node_yaml("intro"),
        "basics/tensors.yaml": node_yaml("tensors", ["intro"]),
        "basics/autograd.yaml": node_yaml("autograd", ["tensors"],
                                          encompasses="{tensors: 0.8}"),
        "basics/linear.yaml": node_yaml("linear", ["intro"]),
        "more/training.yaml": node_yaml("training", ["autograd", "linear"]),
        "more/deploy.yaml": node_yaml("deploy"),
        "roles/trainer.yaml": "id: trainer\ntitle: Trainer\ntargets: [training]\n",
    })
    for lab in (tmp_path / "labs").glob("*.py"):  # each lab its own content
        lab.write_text(f"# the lab of {lab.stem}\n")
    return load_roadmap(root)


@pytest.fixture
def lstore(db_url: str, lrm: Roadmap) -> Iterator[Store]:
    s = Store(db_url, roadmap=lrm)
    yield s
    s.close()


def record(store: Store, rm: Roadmap, user: str, node: str, d: float, status: str = "pass",
           seed: int | None = 0, lab_sha256: str | None = "current",
           solution: str = "learner") -> None:
    """A run of ``user``'s own solution that ended on day ``d``; "current" means against the
    lab's content now."""
    if lab_sha256 == "current":
        lab_sha256 = lab_files(rm)[node].sha256
    at = day(d).isoformat()
    store.record_run(user, {"node": node, "status": status, "started_at": at,
                            "finished_at": at, "solution": solution, "seed": seed,
                            "lab_sha256": lab_sha256, "quick": True, "device": "cpu"})


@pytest.fixture
def at_day(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def move(d: float) -> None:
        monkeypatch.setenv("ROADMAP_NOW", day(d).isoformat())
    return move


def close(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) < 1e-3


# --------------------------------------------------------------------------- the schedule


def test_a_verified_node_becomes_stale_on_the_right_day(lstore: Store, lrm: Roadmap,
                                                        at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ana", "deploy", 0)
    due = day(7 * DUE)  # 5.16 days: retention 2^(-t/7) reaches 0.6
    at_day(5)
    e = user_ledger(lrm, lstore, "ana")["deploy"]
    assert (e.evidence, e.interval_days, e.reviews) == ("verified", 7, 0)
    assert e.retention == pytest.approx(2 ** (-5 / 7)) and close(e.due, due)
    assert e.proof is not None and e.proof.current and e.proof.seed == 0
    assert reviews_due(lrm, lstore, "ana") == []
    at_day(5.2)
    e = user_ledger(lrm, lstore, "ana")["deploy"]
    assert e.evidence == "stale" and e.retention == pytest.approx(2 ** (-5.2 / 7))
    assert e.retention < 0.6 < 2 ** (-5 / 7)
    (review,) = reviews_due(lrm, lstore, "ana")
    assert review.node == "deploy" and review.evidence == "stale"
    assert review.overdue_days == pytest.approx(5.2 - 7 * DUE)


def test_a_review_at_a_fresh_seed_resets_it_and_steps_the_interval_up(
        lstore: Store, lrm: Roadmap, at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ana", "deploy", 0, seed=0)
    at_day(6)
    (review,) = reviews_due(lrm, lstore, "ana")
    assert review.seed != 0 and f"--seed {review.seed}" in review.command
    record(lstore, lrm, "ana", "deploy", 6, seed=review.seed)  # the review, as printed
    e = user_ledger(lrm, lstore, "ana")["deploy"]
    assert (e.evidence, e.retention, e.interval_days, e.reviews) == ("verified", 1.0, 21, 1)
    assert close(e.due, day(6 + 21 * DUE))
    assert reviews_due(lrm, lstore, "ana") == []
    at_day(6 + 21 * DUE + 0.01)
    assert user_ledger(lrm, lstore, "ana")["deploy"].evidence == "stale"


def test_a_pass_at_a_used_seed_is_a_pass_but_not_a_review(lstore: Store, lrm: Roadmap,
                                                          at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ana", "deploy", 0, seed=3)
    record(lstore, lrm, "ana", "deploy", 6, seed=3)
    at_day(6)
    e = user_ledger(lrm, lstore, "ana")["deploy"]
    assert (e.evidence, e.reviews, e.interval_days) == ("stale", 0, 7)
    assert e.proof is not None and e.proof.at == day(6)  # the latest pass is the proof
    (review,) = reviews_due(lrm, lstore, "ana")
    assert review.seed != 3


def test_a_failed_review_shortens_the_interval(lstore: Store, lrm: Roadmap,
                                               at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ana", "deploy", 0, seed=0)
    record(lstore, lrm, "ana", "deploy", 6, seed=1)  # a review: interval 21
    at_day(10)
    before = user_ledger(lrm, lstore, "ana")["deploy"]
    assert close(before.due, day(6 + 21 * DUE)) and before.evidence == "verified"
    record(lstore, lrm, "ana", "deploy", 10, status="fail", seed=2)
    record(lstore, lrm, "ana", "deploy", 10.1, status="fail", seed=3)  # one failed review
    e = user_ledger(lrm, lstore, "ana")["deploy"]
    assert (e.interval_days, e.lapses, e.reviews) == (7, 1, 1)
    assert close(e.due, day(6 + 7 * DUE))  # the clock stays: due since day 11.16
    at_day(11.2)
    assert user_ledger(lrm, lstore, "ana")["deploy"].evidence == "stale"
    (review,) = reviews_due(lrm, lstore, "ana")
    assert review.seed not in (0, 1, 2, 3)  # no seed any earlier run saw


def test_implicit_credit_moves_a_prerequisites_due_date_by_the_formula(
        lstore: Store, lrm: Roadmap) -> None:
    record(lstore, lrm, "ana", "intro", 0)
    record(lstore, lrm, "ana", "tensors", 3)
    record(lstore, lrm, "ana", "autograd", 4)
    # by hand: tensors (day 3) reviews intro with weight 0.5
    intro = 0 + 0.5 * min(1, 3 / 7) * 3
    # autograd (day 4) reviews tensors with 0.8 (encompasses) and intro with 0.8 x 0.5
    tensors = 3 + 0.8 * min(1, (4 - 3) / 7) * (4 - 3)
    intro += 0.4 * min(1, (4 - intro) / 7) * (4 - intro)
    led = user_ledger(lrm, lstore, "ana", now=day(4.5))
    assert close(led["intro"].due, day(intro + 7 * DUE))
    assert close(led["tensors"].due, day(tensors + 7 * DUE))
    assert close(led["autograd"].due, day(4 + 7 * DUE))
    assert led["intro"].retention == pytest.approx(2 ** (-(4.5 - intro) / 7))
    # without the later passes, intro would have been due on day 5.16
    assert led["intro"].due is not None and led["intro"].due > day(7 * DUE) + timedelta(days=1)
    assert led["linear"].evidence == "none"  # not an ancestor of what was passed


def test_credit_only_from_first_passes_and_reviews(lstore: Store, lrm: Roadmap) -> None:
    record(lstore, lrm, "ana", "intro", 0)
    record(lstore, lrm, "ana", "linear", 3, seed=5)
    record(lstore, lrm, "ana", "linear", 4, seed=5)  # a used seed: no credit
    record(lstore, lrm, "ana", "linear", 4.5, status="fail", seed=6)  # a failure: no credit
    intro = 0.5 * (3 / 7) * 3
    assert close(user_ledger(lrm, lstore, "ana", now=day(5))["intro"].due,
                 day(intro + 7 * DUE))


# --------------------------------------------------------------------------- evidence


def test_inferred_and_claimed(lstore: Store, lrm: Roadmap) -> None:
    record(lstore, lrm, "ana", "autograd", 0)
    lstore.set_status("ana", "deploy", "done")
    lstore.set_status("ana", "linear", "done")
    record(lstore, lrm, "ana", "linear", 0, status="fail")  # a failed try proves nothing
    led = user_ledger(lrm, lstore, "ana", now=day(1))
    assert {n: e.evidence for n, e in led.items()} == {
        "intro": "inferred", "tensors": "inferred", "autograd": "verified",
        "linear": "claimed", "training": "none", "deploy": "claimed"}
    assert led["tensors"].via == ("autograd",) and led["tensors"].status == "todo"
    # once the pass is stale, nothing is inferred from it
    led = user_ledger(lrm, lstore, "ana", now=day(6))
    assert (led["autograd"].evidence, led["tensors"].evidence) == ("stale", "none")


def test_reference_runs_and_runs_after_now_prove_nothing(lstore: Store, lrm: Roadmap) -> None:
    record(lstore, lrm, "ana", "deploy", 0, solution="reference")
    record(lstore, lrm, "ana", "intro", 9)
    led = user_ledger(lrm, lstore, "ana", now=day(5))
    assert led["deploy"].evidence == "none" and led["intro"].evidence == "claimed"


def test_editing_a_lab_invalidates_exactly_the_passes_made_against_the_old_content(
        lstore: Store, lrm: Roadmap, tmp_path: Path, at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ana", "tensors", 0)
    record(lstore, lrm, "ana", "deploy", 0)
    record(lstore, lrm, "ana", "intro", 0, lab_sha256=None)  # recorded before hashes
    record(lstore, lrm, "ben", "tensors", 0)
    at_day(1)
    assert {e.evidence for n, e in user_ledger(lrm, lstore, "ana").items()
            if n in ("tensors", "deploy", "intro")} == {"verified"}
    lab = tmp_path / "labs" / "tensors.py"
    lab.write_text(lab.read_text() + "# a new check\n")
    led = user_ledger(lrm, lstore, "ana")
    assert {n: led[n].evidence for n in ("tensors", "deploy", "intro")} == {
        "tensors": "invalidated", "deploy": "verified", "intro": "verified"}
    assert led["tensors"].proof is not None and not led["tensors"].proof.current
    assert user_ledger(lrm, lstore, "ben")["tensors"].evidence == "invalidated"
    (review,) = reviews_due(lrm, lstore, "ana")
    assert (review.node, review.evidence) == ("tensors", "invalidated")
    # a re-check against the new content, even at the old seed, proves it again
    record(lstore, lrm, "ana", "tensors", 1, seed=0)
    e = user_ledger(lrm, lstore, "ana")["tensors"]
    assert (e.evidence, e.reviews) == ("verified", 0)
    assert user_ledger(lrm, lstore, "ben")["tensors"].evidence == "invalidated"


def test_review_queue_most_valuable_first_with_a_command(lstore: Store, lrm: Roadmap,
                                                         at_day) -> None:  # type: ignore[no-untyped-def]
    record(lstore, lrm, "ben", "linear", 0)
    record(lstore, lrm, "ben", "intro", 0)
    record(lstore, lrm, "ben", "deploy", 0, seed=None)  # an older run: no seed recorded
    at_day(10)
    queue = reviews_due(lrm, lstore, "ben")
    assert [r.node for r in queue] == ["intro", "linear", "deploy"]  # leads to 4, 1, 0
    assert [r.unlocks for r in queue] == [4, 1, 0]
    first = queue[0]
    assert first.value == pytest.approx(5 * (1 + first.overdue_days / 7))
    sol = solution_path("ben", "intro")
    assert first.command == (f"roadmap lab run intro --solution {sol} --seed {first.seed} "
                             "--quick --user ben")
    doc = first.as_dict()
    assert {"node", "due", "seed", "command"} <= set(doc) and doc["due"].endswith("Z")
    assert reviews_due(lrm, lstore, "ben") == queue  # the same seeds when asked again


# --------------------------------------------------------------------------- teams


def _team(store: Store, rm: Roadmap) -> None:
    """The team of the hand-computed example (read on day 10)."""
    for name in ("ana", "ben", "cy"):
        store.add_user(name)
    store.add_team("ml", admin="ana")
    store.join_team("ml", "ben")
    store.join_team("ml", "cy")
    record(store, rm, "ana", "autograd", 9)
    record(store, rm, "ben", "intro", 0)
    record(store, rm, "ben", "linear", 0)
    store.set_status("ben", "deploy", "done")
    record(store, rm, "cy", "intro", 8)
    record(store, rm, "cy", "deploy", 9, lab_sha256="0" * 64)  # an older lab content
    store.add_user("eve")  # not on the team
    record(store, rm, "eve", "training", 9)


# node: (verified, stale, invalidated, inferred, claimed, none, bus factor 1, stale only,
#        nobody covers, verified holders), worked out by hand
EXPECTED = {
    "intro": (1, 1, 0, 1, 0, 0, True, False, False, "cy"),
    "tensors": (0, 0, 0, 1, 0, 2, False, False, False, ""),
    "autograd": (1, 0, 0, 0, 0, 2, True, False, False, "ana"),
    "linear": (0, 1, 0, 0, 0, 2, False, True, False, ""),
    "training": (0, 0, 0, 0, 0, 3, False, False, True, ""),
    "deploy": (0, 0, 1, 0, 1, 1, False, False, False, ""),
}


def test_team_coverage_matches_a_hand_computed_team(lstore: Store, lrm: Roadmap,
                                                    at_day) -> None:  # type: ignore[no-untyped-def]
    _team(lstore, lrm)
    at_day(10)
    ledger = team_ledger(lrm, lstore, "ml")
    assert ledger.members == ["ana", "ben", "cy"]
    assert ledger.nodes == ["autograd", "intro", "linear", "tensors", "deploy", "training"]
    assert ledger.row("ben") == ["none", "stale", "stale", "none", "claimed", "none"]
    header, rows = coverage_table(lrm, ledger)
    assert header[:13] == ["node", "title", "section", "verified", "stale", "invalidated",
                           "inferred", "claimed", "none", "bus_factor_1", "stale_only",
                           "nobody_covers", "verified_holders"]
    assert header[13:] == ["ana", "ben", "cy"]
    got = {r[0]: tuple(r[3:13]) for r in rows}
    assert got == EXPECTED
    # each member's evidence, as their own ledger says
    for member in ledger.members:
        mine = user_ledger(lrm, lstore, member)
        assert ledger.row(member) == [mine[n].evidence for n in ledger.nodes]
    # the CSV and the workbook hold the same table
    csv_text = table_bytes(header, rows, "csv").decode()
    assert csv_text.splitlines()[2] == ("intro,Title of intro,basics,1,1,0,1,0,0,yes,no,no,cy,"
                                        "inferred,stale,verified")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(table_bytes(header, rows, "xlsx", sheet="team ml",
                                              fills=EVIDENCE_COLOURS))).active
    assert ws is not None and ws.title == "team ml"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == header and values[2][:13] == ["intro", "Title of intro", "basics",
                                                      *EXPECTED["intro"][:9], "cy"]
    assert ws["P3"].value == "verified" and ws["P3"].fill.start_color.rgb.endswith(
        EVIDENCE_COLOURS["verified"].lstrip("#").upper())


def test_role_gaps(lstore: Store, lrm: Roadmap, at_day) -> None:  # type: ignore[no-untyped-def]
    _team(lstore, lrm)
    at_day(10)
    gaps = {g.member: g for g in role_gaps(lrm, lstore, "ml", "trainer")}
    # done: ana autograd (so its prerequisites too); ben intro, linear; cy intro, deploy
    assert gaps["ana"].steps == ["intro", "linear", "training"]
    assert gaps["ben"].steps == ["tensors", "autograd", "training"]
    assert gaps["cy"].steps == ["linear", "tensors", "autograd", "training"]
    assert [(gaps[m].verified, gaps[m].total) for m in ("ana", "ben", "cy")] == [
        (1, 5), (0, 5), (1, 5)]
    assert gaps["cy"].hours == 8


def test_export_import_keeps_the_evidence(lstore: Store, lrm: Roadmap, other_url: str) -> None:
    _team(lstore, lrm)
    with Store(other_url, roadmap=lrm) as other:
        for name in ("ana", "ben", "cy"):
            other.import_user(lstore.export_user(name))
            assert other.export_user(name) == lstore.export_user(name)
            assert user_ledger(lrm, other, name, now=day(10)) == user_ledger(
                lrm, lstore, name, now=day(10))
