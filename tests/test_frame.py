"""Frame: scalar metrics as a plain row, and the share decided by the student."""

import json

from gankmeans import TrainConfig, datasets, train


def test_metrics_row_is_json_ready_and_counts_the_students_share():
    X, _ = datasets.load("uniform", n_samples=200, random_state=0)
    frame = next(train(X, TrainConfig(tie_margin=0.3, max_epochs=1)))
    row = frame.metrics()
    json.dumps(row)
    assert row["epoch"] == 1 and row["phase"] == "teacher"
    assert row["student_share"] == frame.decided_by_student.mean() > 0
