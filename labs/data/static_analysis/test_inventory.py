"""The behaviour inventory.py must keep while you fix what the tools report.

The static-analysis lab runs these tests with pytest against your fixed module.
"""

import json

import inventory


def test_load_reads_the_json_stock_file(tmp_path):
    path = tmp_path / "stock.json"
    path.write_text(json.dumps({"apples": 3, "pears": 0}), encoding="utf-8")
    assert inventory.load(str(path)) == {"apples": 3, "pears": 0}


def test_add_item_to_a_given_store_updates_and_returns_it():
    store = {"apples": 1}
    assert inventory.add_item("apples", 2, store) is store
    assert store == {"apples": 3}


def test_add_item_without_a_store_starts_a_new_one_each_time():
    assert inventory.add_item("apples", 1) == {"apples": 1}
    assert inventory.add_item("pears", 2) == {"pears": 2}


def test_total_adds_every_item():
    assert inventory.total({"apples": 2, "pears": 3}) == 5
    assert inventory.total({}) == 0


def test_find_tells_zero_units_from_never_stocked():
    assert inventory.find({"apples": 0}, "apples") == 0
    assert inventory.find({"apples": 4}, "apples") == 4
    assert inventory.find({}, "apples") is None


def test_describe_is_one_line():
    assert inventory.describe({"apples": 3}, "apples") == "apples: 3"


def test_after_restock_counts_new_items_from_zero():
    assert inventory.after_restock({"apples": 3}, "apples", 2) == 5
    assert inventory.after_restock({}, "pears", 4) == 4
    assert inventory.after_restock({"figs": 0}, "figs", 1) == 1


def test_report_counts_items_and_units():
    assert inventory.report({"apples": 2, "pears": 3}) == "2 items, 5 units"
    assert inventory.report({}) == "0 items, 0 units"
