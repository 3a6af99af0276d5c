"""Your own data in the app (AppTest): CSV uploads, their row index, labels, gaps and size."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from conftest import button, epoch, first_epoch, packet, play_until_done, player_scene, small_run

from ui import controls


def data_points(app):
    """The current data set's points on the plotting axes, as the app made them."""
    from ui import data

    state = app.session_state
    if state["dataset"] == data.UPLOAD:
        return uploaded_data(app).X2
    values = {**controls.DEFAULTS, **{k: state[k] for k in controls.DATA_KEYS}}
    return data.load(*(values[k] for k in controls.DATA_KEYS)).X2


def uploaded_data(app):
    """The uploaded file's data set, as the app made it."""
    from ui import data

    file, seed = app.session_state["upload"], app.session_state["seed"]
    return data.read_upload(file["digest"], file["label"], file["drop"], file["keep"], seed, file["raw"])[0]



def upload(app, name: str, content: bytes):
    app.file_uploader[0].set_value((name, content, "text/csv"))
    return app.run()


def labelled_csv(n: int = 90) -> bytes:
    """Three well-separated groups in 3 features, with a text label column."""
    rng = np.random.default_rng(7)
    rows = [f"{g * 10 + rng.normal():.4f},{g * -8 + rng.normal():.4f},{g * 6 + rng.normal():.4f},group{g}"
            for g in (0, 1, 2) for _ in range(n // 3)]
    return ("width,height,depth,kind\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text CSV file"),
    (b"", "the file is empty"),
    (b"a,b\n", "header but no data rows"),
    (b"value\n1\n2\n3\n4\n5\n", "only one numeric feature column"),
    (b"a,b\n1,2\n3,oops\n5,6\n7,8\n", 'column "b" has a non-numeric value'),
    (b"a,b\n1,2\n3,4\n5,6\n", "3 usable rows, fewer than K = 4"),
])
def test_a_bad_file_shows_why_and_keeps_the_previous_data_and_run(at, content, reason):
    first_epoch(at)
    run, points = at.session_state["runner"], data_points(at)
    upload(at, "mine.csv", content)
    assert not at.exception
    assert any(reason in e.value and "previous data and run are kept" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs" and np.array_equal(data_points(at), points)
    assert at.session_state["runner"] is run and epoch(at) == 1
    # The uploader, the captions and the data set agree: the file was not taken.
    assert at.file_uploader[0].value is None
    assert any("**mine.csv** was not used" in c.value and "the data is still **blobs**" in c.value
               for c in at.caption)
    assert any("previous data and run are kept: **blobs**" in e.value for e in at.error)


def _selected_dataset(app) -> str:
    """The data set as its selector shows it."""
    box = app.selectbox(key="dataset")
    return box.format_func(box.value)


def test_a_rejected_file_leaves_uploader_captions_and_data_naming_the_kept_file(at):
    upload(at, "groups.csv", labelled_csv())
    first_epoch(at)
    run, points = at.session_state["runner"], data_points(at)
    rows = [f"{i % 7},{i % 5}" for i in range(30)] + ["nan,1", "2,inf", ",3"]
    upload(at, "gaps.csv", ("a,b\n" + "\n".join(rows) + "\n").encode())
    assert at.file_uploader[0].value is None  # not showing a file the data does not come from
    assert _selected_dataset(at) == "Your file: groups.csv"
    assert any(c.value.startswith("**groups.csv**: 90 rows") for c in at.caption)
    assert any("**gaps.csv** was not used" in c.value and "still **groups.csv**" in c.value
               for c in at.caption)
    assert any("**gaps.csv** cannot be used" in e.value and "kept: **groups.csv**" in e.value
               for e in at.error)
    assert np.array_equal(data_points(at), points) and at.session_state["runner"] is run
    # Its offer still stands; taken, every name moves to the new file together.
    button(at, "Drop the 3 incomplete rows").click().run()
    assert not at.error and _selected_dataset(at) == "Your file: gaps.csv"
    assert any(c.value.startswith("**gaps.csv**: 30 rows") for c in at.caption)
    assert not any("was not used" in c.value for c in at.caption)


def test_a_rejection_note_goes_once_the_user_picks_other_data(at):
    upload(at, "mine.csv", b"a,b\n1,2\n3,oops\n5,6\n7,8\n")
    assert at.error
    at.selectbox(key="dataset").set_value("moons").run()
    assert not at.error and not any("was not used" in c.value for c in at.caption)


def iris_by_pandas() -> bytes:
    """iris as `df.to_csv("iris.csv")` writes it: the index 0..149 as an unnamed first column, rows
    sorted by species (so the row numbers tell the species)."""
    from sklearn.datasets import load_iris

    return load_iris(as_frame=True).frame.to_csv().encode()


def data_columns(app) -> list[str]:
    """The feature columns the uploaded file's data set trains on."""
    return uploaded_data(app).columns


def test_a_csv_s_row_index_is_left_out_with_a_button_to_keep_it_that_resets_the_run(at):
    from sklearn.datasets import load_iris

    features = list(load_iris(as_frame=True).data.columns)
    upload(at, "iris.csv", iris_by_pandas())
    assert not at.error and not at.exception
    assert any("150 rows × 4 features, 3 label classes" in c.value for c in at.caption)
    assert any(c.value == "Left out of training: **column 1**, an unnamed first column, as pandas writes its "
               "index." for c in at.caption)
    assert data_columns(at) == features
    first_epoch(at)
    assert epoch(at) == 1 and at.session_state["runner"].latest.centroids.shape == (3, 4)  # trained on 4
    button(at, "Keep column 1 as a feature").click().run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert data_columns(at) == ["column 1", *features]
    assert any("150 rows × 5 features" in c.value for c in at.caption)
    assert any("Trained on **column 1** too" in c.value for c in at.caption)
    assert not any(c.value.startswith("Left out") for c in at.caption)
    first_epoch(at)
    button(at, "Leave column 1 out again").click().run()
    assert "runner" not in at.session_state and data_columns(at) == features


def test_a_column_naming_every_row_is_left_out_and_not_taken_for_the_label(at):
    rng = np.random.default_rng(3)
    rows = [f"plant {i},{g * 5 + rng.normal():.3f},{g * 3 + rng.normal():.3f},kind{g}"
            for i, g in enumerate(np.arange(60) % 2)]
    upload(at, "plants.csv", ("name,width,height,kind\n" + "\n".join(rows) + "\n").encode())
    assert not at.error and at.session_state["upload_label_choice"] == "kind"
    assert data_columns(at) == ["width", "height"] and at.session_state["n_clusters"] == 2
    assert any(c.value.startswith("Left out of training: **name**, text") for c in at.caption)
    assert not any(b.label.startswith("Keep") for b in at.button)  # text cannot be a feature


def test_a_file_usable_only_with_its_row_numbers_offers_to_keep_them(at):
    rows = [f"{i + 1},{(i * 7) % 10}" for i in range(25)]  # x counts 1..25: a row number, on its face
    upload(at, "line.csv", ("x,y\n" + "\n".join(rows) + "\n").encode())
    assert any("only one numeric feature column (y) once x" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs" and at.file_uploader[0].value is None
    button(at, "Keep x as a feature").click().run()
    assert not at.error and at.session_state["dataset"] == "uploaded CSV"
    assert data_columns(at) == ["x", "y"]
    assert any("Trained on **x** too" in c.value for c in at.caption)


def test_a_labelled_csv_trains_on_its_features_and_scores_against_its_labels(at):
    upload(at, "groups.csv", labelled_csv())
    assert not at.error and not at.exception
    state = at.session_state
    assert state["dataset"] == "uploaded CSV" and state["upload_label_choice"] == "kind"
    assert state["n_clusters"] == 3  # one cluster per label class
    assert any("90 rows × 3 features, 3 label classes" in c.value for c in at.caption)
    assert "2-D PCA projection of the 3 features" in packet(at)["scene"]["note"]  # the player's caption
    small_run(at, epochs=40)
    button(at, "Train").click().run()
    play_until_done(at)
    assert at.session_state["runner"].latest.centroids.shape == (3, 3)  # trained on all 3
    assert at.session_state["runner"].metrics[-1]["ari"] > 0.9
    assert player_scene(at)["has_labels"]
    table = pd.read_csv(io.StringIO(at.session_state["exports"][1]["csv"]))
    assert list(table.columns[:3]) == ["width", "height", "depth"]


def test_incomplete_rows_are_counted_and_dropped_on_request(at):
    rows = [f"{i % 7},{i % 5}" for i in range(30)] + ["nan,1", "2,inf", ",3"]
    upload(at, "gaps.csv", ("a,b\n" + "\n".join(rows) + "\n").encode())
    assert any("3 of 33 rows have missing" in e.value for e in at.error)
    assert at.session_state["dataset"] == "blobs"
    next(b for b in at.button if b.label == "Drop the 3 incomplete rows").click().run()
    assert not at.error
    assert at.session_state["dataset"] == "uploaded CSV" and len(data_points(at)) == 30
    assert any("3 incomplete rows were dropped" in c.value for c in at.caption)


def test_a_file_over_the_row_limit_is_sampled_with_the_seed(at, monkeypatch):
    monkeypatch.setattr("ui.data.MAX_POINTS", 40)
    content = ("u,v\n" + "\n".join(f"{2 * i},{i * 7 % 13}.5" for i in range(100)) + "\n").encode()
    upload(at, "big.csv", content)
    assert not at.error and len(data_points(at)) == 40
    assert any("100 usable rows, more than the limit of 40" in c.value for c in at.caption)


def test_choosing_another_label_column_resets_the_run(at):
    content = b"a,b,c\n" + b"".join(f"{i * i % 11},{i * 3 % 7},{i % 2}\n".encode() for i in range(20))
    upload(at, "nums.csv", content)
    assert at.session_state["upload_label_choice"] == "(none)"
    first_epoch(at)
    at.selectbox(key="upload_label_choice").set_value("c").run()
    assert "runner" not in at.session_state and any("reset" in i.value for i in at.info)
    assert at.session_state["n_clusters"] == 2 and len(data_points(at)) == 20
    assert packet(at)["scene"]["has_labels"]  # the player shows ARI and NMI
