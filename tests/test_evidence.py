"""The ledger's arithmetic without a database, and the table writer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph import (
    INTERVALS_DAYS,
    OutputError,
    RunFact,
    credit_weights,
    due_after_days,
    evidence_words,
    fresh_seed,
    load_roadmap,
    node_evidence,
    retention,
    table_bytes,
    write_table,
)

from .factory import make, node_yaml


def test_retention_halves_every_interval_and_the_due_day() -> None:
    assert retention(0, 7) == 1.0 and retention(7, 7) == 0.5 and retention(14, 7) == 0.25
    assert retention(-1, 7) == 1.0  # a clock set before the review reads as fresh
    for interval in INTERVALS_DAYS:
        assert retention(due_after_days(interval), interval) == pytest.approx(0.6)
    assert INTERVALS_DAYS == (7, 21, 60, 120, 240)


def test_credit_weights_multiply_along_paths_and_take_the_best(tmp_path: Path) -> None:
    # a -> b -> d and a -> c -> d; d encompasses c at 0.9, b at 0 (no credit that way)
    rm = load_roadmap(make(tmp_path, {
        "basics/a.yaml": node_yaml("a"), "basics/b.yaml": node_yaml("b", ["a"]),
        "basics/c.yaml": node_yaml("c", ["a"]),
        "more/d.yaml": node_yaml("d", ["b", "c"], encompasses="{b: 0, c: 0.9}")}))
    w = credit_weights(rm)
    assert dict(w["d"]) == {"c": 0.9, "a": pytest.approx(0.45)}  # b is left out
    assert dict(w["b"]) == {"a": 0.5} and w["a"] == ()
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    words = evidence_words(rm, [RunFact("d", t0.timestamp(), "pass", 0, None)], ["b"], {},
                           t0 + timedelta(days=1))
    assert words == {"d": "verified", "c": "inferred", "a": "inferred", "b": "claimed"}
    full = node_evidence(rm, [RunFact("d", t0.timestamp(), "pass", 0, None)], {"b": "done"},
                         {}, t0 + timedelta(days=1))
    assert {n: e.evidence for n, e in full.items()} == words


def test_fresh_seed_avoids_used_seeds_and_differs_between_people() -> None:
    used = {fresh_seed("ana", "calculus", [])}
    again = fresh_seed("ana", "calculus", used)
    assert again not in used and 1 <= again <= 99_999
    others = {fresh_seed(u, "calculus", []) for u in ("ana", "ben", "cy", "dee")}
    assert len(others) == 4


def test_tables_to_files(tmp_path: Path) -> None:
    header, rows = ["node", "n", "single"], [["a", 2, True], ["b", 0, False]]
    assert table_bytes(header, rows, "csv").decode().splitlines() == [
        "node,n,single", "a,2,yes", "b,0,no"]
    out = write_table(tmp_path / "t.xlsx", header, rows)
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws is not None
    assert [[c.value for c in r] for r in ws.iter_rows()] == [header, *rows]


def test_a_table_in_a_missing_folder_or_format_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the folder .*nope does not exist; nothing was "
                                          "written"):
        write_table(tmp_path / "nope" / "t.xlsx", ["a"], [[1]])
    assert not (tmp_path / "nope").exists()
    with pytest.raises(OutputError, match="unknown table format 'ods'"):
        write_table(tmp_path / "t.ods", ["a"], [[1]])
    with pytest.raises(OutputError, match="unknown table format 'pdf'"):
        table_bytes(["a"], [[1]], "pdf")
    assert list(tmp_path.iterdir()) == []
