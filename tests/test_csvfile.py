"""Tests for gankmeans.csvfile: separators, headers, labels, caps, and every bad file."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets as skd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

import gankmeans.csvfile as csvfile
import gankmeans.datasets as datasets


def test_read_csv_with_header_and_text_labels():
    data = b"sepal,petal,species\n1.0,2.0,setosa\n3,4,virginica\n5,6,setosa\n"
    result = datasets.read_csv(data, label_column="species")
    np.testing.assert_array_equal(result.X, [[1, 2], [3, 4], [5, 6]])
    assert result.X.dtype == np.float64
    assert result.y.tolist() == [0, 1, 0] and result.y.dtype == np.int64
    assert result.columns == ["sepal", "petal"] and result.label_name == "species"
    assert (result.n_dropped, result.n_original, result.sampled) == (0, 3, False)


def test_read_csv_without_header_names_columns_x1_to_xn():
    result = datasets.read_csv(b"1,2,3\n4,5,6\n")
    assert result.columns == ["x1", "x2", "x3"]
    assert result.X.shape == (2, 3) and result.y is None and result.label_name is None


def test_read_csv_headerless_with_a_text_label_column():
    result = datasets.read_csv(b"5.1,3.5,setosa\n4.9,3.0,setosa\n7.0,3.2,versicolor\n",
                               label_column="x3")
    assert result.columns == ["x1", "x2"] and result.y.tolist() == [0, 0, 1]


def test_read_csv_numeric_labels_keep_their_order():
    result = datasets.read_csv(b"a,label\n1,10\n2,2\n3,10\n4,1\n", label_column="label")
    assert result.y.tolist() == [2, 1, 2, 0]


def test_read_csv_semicolons_and_decimal_commas():
    result = datasets.read_csv(b"x;y\n1,5;2\n3;4,25\n")
    np.testing.assert_array_equal(result.X, [[1.5, 2.0], [3.0, 4.25]])
    assert result.columns == ["x", "y"]


def test_read_csv_single_column_tabs_and_utf8_bom():
    result = datasets.read_csv("\ufeffvalue\n1\n2\n3\n".encode())
    assert result.columns == ["value"] and result.X.shape == (3, 1)
    result = datasets.read_csv(b"1\t2\n3\t4\n")
    assert result.X.tolist() == [[1, 2], [3, 4]]


def test_read_csv_accepts_paths_binary_and_text_file_objects(tmp_path):
    text = "a,b\n1,2\n3,4\n"
    path = tmp_path / "data.csv"
    path.write_text(text)
    upload = io.BytesIO(text.encode())
    upload.read()  # an upload read before (a Streamlit rerun) must still parse whole
    for source in (path, str(path), upload, io.StringIO(text), text.encode()):
        assert datasets.read_csv(source).X.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize(("data", "match"), [
    (b"", r"empty"),
    (b"  \n\n", r"empty"),
    (b"a,b\x00\x01\n1,2\n", r"not a text CSV"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", r"not a text CSV"),
    (b"\x81\x8d\x8f\x90\x9d,1\n", r"not a text CSV"),
    (b"a,b\n", r"header but no data rows"),
    (b"a,b\n1,2\n3,oops\n", r'column "b" has a non-numeric value \'oops\' in data row 2'),
    (b"a,a\n1,2\n3,4\n", r"repeats a column name"),
    (b"a,b\n1,2,3\n4,5\n", r"not a valid CSV table.*same number of fields"),
    (b"1,2\n", r"only 1 usable data row"),
])
def test_read_csv_rejects_bad_files(data, match):
    with pytest.raises(ValueError, match=match):
        datasets.read_csv(data)


def test_read_csv_rejects_files_over_the_byte_cap(monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 10)
    with pytest.raises(ValueError, match=r"larger than the limit"):
        datasets.read_csv(b"a,b\n1,2\n3,4\n")


def test_read_csv_label_column_errors():
    with pytest.raises(ValueError, match=r"label column 'kind' is not in the file.*a, b"):
        datasets.read_csv(b"a,b\n1,2\n3,4\n", label_column="kind")
    with pytest.raises(ValueError, match=r"no feature column besides the label"):
        datasets.read_csv(b"kind\nx\ny\n", label_column="kind")


def test_read_csv_nonfinite_rows_raise_or_are_dropped():
    data = b"a,b\n1,2\n,4\n5,inf\n7,8\nNaN,1\n9,10\n"
    with pytest.raises(ValueError, match=r"3 of 6 rows contain NaN, infinity.*drop"):
        datasets.read_csv(data)
    result = datasets.read_csv(data, drop_nonfinite=True)
    assert result.X.tolist() == [[1, 2], [7, 8], [9, 10]]
    assert result.n_dropped == 3 and result.n_original == 3


def test_read_csv_drops_rows_with_an_empty_label():
    result = datasets.read_csv(b"a,k\n1,x\n2,\n3,y\n", label_column="k", drop_nonfinite=True)
    assert result.X.ravel().tolist() == [1, 3] and result.y.tolist() == [0, 1]


def test_read_csv_too_few_rows_after_dropping():
    with pytest.raises(ValueError, match=r"only 1 usable data row"):
        datasets.read_csv(b"a,b\n1,2\nnan,4\n", drop_nonfinite=True)


def test_read_csv_samples_down_to_max_rows_deterministically():
    rows = "\n".join(f"{2 * i},{i % 3}" for i in range(50))  # 0, 2, ...: not row numbers
    data = f"v,label\n{rows}\n".encode()
    first = datasets.read_csv(data, label_column="label", max_rows=20, random_state=4)
    again = datasets.read_csv(data, label_column="label", max_rows=20, random_state=4)
    other = datasets.read_csv(data, label_column="label", max_rows=20, random_state=5)
    assert first.X.shape == (20, 1) and first.sampled and first.n_original == 50
    np.testing.assert_array_equal(first.X, again.X)
    assert not np.array_equal(first.X, other.X)
    values = first.X.ravel()
    assert (np.diff(values) > 0).all()  # file order kept, no repeats
    assert first.y.tolist() == (values / 2 % 3).astype(int).tolist()  # labels follow their rows
    assert datasets.MAX_CSV_ROWS == 100_000


# --- project_2d ------------------------------------------------------------------------------


# --- csv_columns: what the app offers as the label column -------------------------------------

@pytest.mark.parametrize(("data", "columns", "guess"), [
    (b"sepal,petal,species\n1,2,setosa\n3,4,virginica\n", ["sepal", "petal", "species"], "species"),
    (b"a,b,Class\n1,2,0\n3,4,1\n", ["a", "b", "Class"], "Class"),  # numeric, named like a label
    (b"x,y\n1,2\n3,4\n", ["x", "y"], None),
    (b"1;2,5;a\n3;4;b\n", ["x1", "x2", "x3"], "x3"),  # headerless, semicolons, decimal commas
    (b"a,b,c\n1,x,y\n2,z,w\n", ["a", "b", "c"], None),  # two text columns: no single guess
    (b"a,b\n1,2\n3,oops\n5,6\n", ["a", "b"], None),  # a stray word is an error, not a label
])
def test_csv_columns_names_columns_and_guesses_the_label(data, columns, guess):
    assert datasets.csv_columns(data) == datasets.CsvColumns(columns, guess, {})


def test_csv_columns_rejects_what_read_csv_rejects():
    with pytest.raises(ValueError, match=r"not a text CSV"):
        datasets.csv_columns(b"\x89PNG\r\n\x1a\n\x00\x00")


# --- row indexes and identifiers: left out unless kept ----------------------------------------

def _columns(table, **kwargs):
    return datasets.read_csv(table.to_csv(index=False).encode(), **kwargs).columns


def _measures(n=30, seed=0):
    """Two float features: what an index must not push out."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"width": rng.normal(5, 1, n).round(2), "height": rng.normal(3, 1, n).round(2)})


ROW_NUMBERS = "whole numbers 0..{}, one per row: row numbers"
SKLEARN_SETS = {"iris": skd.load_iris, "wine": skd.load_wine, "digits": skd.load_digits}
PANDAS_WRITES = {  # the ways pandas leaves a row index in a file
    "to_csv": lambda df: df.to_csv(),
    "shuffled": lambda df: df.sample(frac=1, random_state=0).to_csv(),
    "reset_index": lambda df: df.reset_index().to_csv(index=False),
    "read, then written": lambda df: pd.read_csv(io.StringIO(df.to_csv())).to_csv(),
    "no header": lambda df: df.to_csv(header=False),
}


@pytest.mark.parametrize("writer", PANDAS_WRITES)
@pytest.mark.parametrize("name", SKLEARN_SETS)
def test_real_data_written_by_pandas_keeps_every_feature_and_loses_only_the_index(name, writer):
    bunch = SKLEARN_SETS[name](as_frame=True)
    text = PANDAS_WRITES[writer](bunch.frame).encode()
    found = datasets.csv_columns(text)
    if writer == "no header":  # nothing names the target: the user picks the last column
        assert found.label_guess is None
        assert found.identifiers == {"x1": ROW_NUMBERS.format(len(bunch.data) - 1)}
    else:
        assert found.label_guess == "target"
    result = datasets.read_csv(text, label_column=found.label_guess or found.columns[-1])
    rows = slice(None)
    if writer == "shuffled":  # back in the original order
        rows = np.argsort(bunch.frame.sample(frac=1, random_state=0).index)
    np.testing.assert_array_equal(result.X[rows], bunch.data.to_numpy())  # the real features, all
    if writer != "no header":
        assert result.columns == list(bunch.data.columns)
    assert result.left_out == found.identifiers
    assert len(result.left_out) == (2 if writer == "read, then written" else 1)


@pytest.mark.parametrize("name", ["Unnamed: 0", "index", "Index", "ID", "id", "Id", "idx", "sample_id",
                                  "customerID", "Patient Id", "Row number", "row_no", "#", "No."])
def test_a_column_named_like_an_index_is_left_out_whatever_it_holds(name):
    table = _measures(n=5)  # any size: the name says it
    table.insert(1, name, [7.5, 1.25, 3.0, 9.0, 4.0])
    result = datasets.read_csv(table.to_csv(index=False).encode())
    assert result.columns == ["width", "height"]
    assert result.left_out == {name: "named like a row index or an ID"}


@pytest.mark.parametrize("name", ["acid", "malic_acid", "fluid", "idle", "Idaho", "width_mid",
                                  "body_mass_index", "grid", "nox", "rows_seen"])
def test_a_feature_that_only_contains_id_or_index_is_kept(name):
    table = _measures()
    table[name] = np.linspace(0.5, 7, len(table))
    assert _columns(table) == ["width", "height", name]


def test_an_unnamed_first_column_is_pandas_index_and_is_left_out():
    text = _measures(n=6).to_csv().encode()  # ",width,height" then 0..5: too short for the values rule
    result = datasets.read_csv(text)
    assert result.columns == ["width", "height"]
    assert result.left_out == {"column 1": "an unnamed first column, as pandas writes its index"}
    # another unnamed column is a feature someone forgot to name
    assert datasets.read_csv(b"a,,b\n1,2,3\n4,5,6\n").columns == ["a", "column 2", "b"]


@pytest.mark.parametrize("start", [0, 1])
@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_whole_numbers_counting_the_rows_are_left_out_in_any_order(start, order):
    n = datasets.IDENTIFIER_MIN_ROWS
    counts = np.arange(start, start + n)
    if order == "shuffled":  # numbered before shuffling, it still tells the original order
        counts = np.random.default_rng(1).permutation(counts)
    table = _measures(n=n)
    table.insert(0, "n", counts)
    result = datasets.read_csv(table.to_csv(index=False).encode())
    assert result.columns == ["width", "height"]
    assert result.left_out == {"n": f"whole numbers {start}..{start + n - 1}, one per row: row numbers"}


@pytest.mark.parametrize(("values", "why"), [
    (np.arange(2, 32), "starts at 2"),
    (np.r_[np.arange(29), 5], "a number repeats"),
    (np.random.default_rng(0).choice(10_000, 30, replace=False), "different in every row, not a run"),
    (np.arange(30) * 0.5, "not whole numbers"),
    (np.r_[np.arange(29), np.nan], "an empty cell"),
])
def test_a_genuine_integer_feature_is_kept(values, why):
    table = _measures()
    table["count"] = values
    text = table.to_csv(index=False).encode()
    assert datasets.csv_columns(text).identifiers == {}, why


def test_row_numbers_in_a_small_file_are_a_feature():
    # A hand-made file of a few points may number them 1..n on purpose: values alone need 20 rows.
    n = datasets.IDENTIFIER_MIN_ROWS - 1
    table = pd.DataFrame({"x": np.arange(1, n + 1), "y": np.arange(n) % 4})
    assert _columns(table) == ["x", "y"]


def test_text_naming_every_row_is_an_identifier_not_the_label():
    n = datasets.IDENTIFIER_MIN_ROWS
    table = _measures(n=n)
    table["name"] = [f"plant {i}" for i in range(n)]
    table["species"] = ["a", "b"] * (n // 2)
    text = table.to_csv(index=False).encode()
    found = datasets.csv_columns(text)
    assert found.label_guess == "species"  # the only text column left once the names are out
    assert found.identifiers == {"name": datasets.TEXT_ID}
    result = datasets.read_csv(text, label_column="species")
    assert result.columns == ["width", "height"] and result.left_out == {"name": datasets.TEXT_ID}
    # On its own, a column of names is no label either: as many classes as rows.
    names_only = table.drop(columns="species").to_csv(index=False).encode()
    assert datasets.csv_columns(names_only).label_guess is None
    # Chosen as the label, it is one: the user said so.
    named = datasets.read_csv(names_only, label_column="name")
    assert named.columns == ["width", "height"] and len(set(named.y)) == n


def test_keep_columns_trains_on_a_left_out_column_in_its_place():
    table = _measures()
    table.insert(1, "id", np.arange(30))
    text = table.to_csv(index=False).encode()
    for keep in ("id", ["id"], ("id",)):
        result = datasets.read_csv(text, keep_columns=keep)
        assert result.columns == ["width", "id", "height"] and result.left_out == {}
        np.testing.assert_array_equal(result.X[:, 1], np.arange(30))


def test_keep_columns_errors():
    table = _measures()
    table["id"] = np.arange(30)
    table["name"] = [f"n{i}" for i in range(30)]
    text = table.to_csv(index=False).encode()
    with pytest.raises(ValueError, match=r"column 'nope' to keep is not in the file; its columns are "
                                         r"width, height, id, name"):
        datasets.read_csv(text, keep_columns=["id", "nope"])
    with pytest.raises(ValueError, match=r'column "name" has a non-numeric value'):
        datasets.read_csv(text, keep_columns="name")  # text cannot be a feature


def test_a_file_of_nothing_but_an_index_says_how_to_keep_it():
    text = b"id,kind\n1,a\n2,b\n3,a\n"
    with pytest.raises(ValueError, match=r"no feature column once the row index.*id: named like.*"
                                         r"keep_columns"):
        datasets.read_csv(text, label_column="kind")
    assert datasets.read_csv(text, label_column="kind", keep_columns="id").X.shape == (3, 1)


def test_the_label_column_is_never_left_out():
    table = _measures()
    table["id"] = np.arange(30) % 3
    result = datasets.read_csv(table.to_csv(index=False).encode(), label_column="id")
    assert result.columns == ["width", "height"] and result.left_out == {} and result.y.max() == 2


def test_row_numbers_leak_the_answer_of_a_sorted_file_and_leaving_them_out_closes_it():
    # The case: iris, sorted by species, written with df.to_csv(). K-Means as the app's
    # comparison runs it (standardised features) scores far better with the row numbers.
    bunch = skd.load_iris(as_frame=True)
    text = bunch.frame.to_csv().encode()

    def kmeans_ari(X):
        labels = KMeans(3, n_init="auto", random_state=0).fit_predict(StandardScaler().fit_transform(X))
        return adjusted_rand_score(bunch.target, labels)

    leaked = kmeans_ari(datasets.read_csv(text, label_column="target", keep_columns="column 1").X)
    default = datasets.read_csv(text, label_column="target")
    assert default.X.shape == (150, 4)
    assert kmeans_ari(default.X) == pytest.approx(kmeans_ari(bunch.data.to_numpy()))
    assert leaked > kmeans_ari(default.X) + 0.2


def test_csv_columns_judges_a_long_file_by_every_row_of_a_whole_number_column():
    n = 1500  # more than csv_columns reads of a column of measurements
    table = _measures(n=n)
    table["n"] = np.random.default_rng(2).permutation(n)
    table["count"] = np.r_[np.arange(1000), np.arange(5000, 5000 + n - 1000)]  # its head counts rows
    text = table.to_csv(index=False).encode()
    assert datasets.csv_columns(text).identifiers == {"n": "whole numbers 0..1499, one per row: row numbers"}
    assert datasets.read_csv(text).columns == ["width", "height", "count"]
