"""The sample's tests: the use case with in-memory fakes, and the service end to end."""

import json
import sqlite3

import pytest
from predictor.application.predict import predict
from predictor.domain.model import ModelInfo, Prediction
from predictor.infrastructure.main import build


class FakeRepo:
    def __init__(self, *infos):
        self.infos = {i.name: i for i in infos}

    def get(self, name):
        return self.infos[name]

    def add(self, info):
        self.infos[info.name] = info


class FakeLog:
    def __init__(self):
        self.recorded = []

    def record(self, prediction):
        self.recorded.append(prediction)


def test_label_is_score_at_or_above_the_threshold():
    info = ModelInfo("churn", 1, 0.5)
    assert Prediction(info, 0.5).label is True
    assert Prediction(info, 0.49).label is False


def test_predict_scores_labels_and_records_through_the_ports():
    log = FakeLog()
    p = predict(FakeRepo(ModelInfo("churn", 3, 0.6)), lambda xs: max(xs), log, "churn",
                [0.5, 0.75])
    assert p == Prediction(ModelInfo("churn", 3, 0.6), 0.75)
    assert p.label is True
    assert log.recorded == [p]


def test_predict_asks_the_repository_for_the_named_model():
    repo = FakeRepo(ModelInfo("churn", 1, 0.9), ModelInfo("fraud", 2, 0.1))
    p = predict(repo, lambda xs: 0.5, FakeLog(), "fraud", [0.0])
    assert (p.model.name, p.model.version, p.label) == ("fraud", 2, True)


def test_service_end_to_end_over_sqlite(tmp_path):
    db = str(tmp_path / "predictor.sqlite")
    handle = build(db)
    out = json.loads(handle(json.dumps({"model": "churn", "features": [0.9, 0.7]})))
    assert out == {"model": "churn", "version": 1, "score": pytest.approx(0.8), "label": True}
    rows = sqlite3.connect(db).execute("select model, score from predictions").fetchall()
    assert rows == [("churn", pytest.approx(0.8))]
