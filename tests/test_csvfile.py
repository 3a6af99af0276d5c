"""Tests for gankmeans.csvfile: separators, headers, labels, caps, and every bad file."""

import io

import numpy as np
import pytest

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
    rows = "\n".join(f"{i},{i % 3}" for i in range(50))
    data = f"v,label\n{rows}\n".encode()
    first = datasets.read_csv(data, label_column="label", max_rows=20, random_state=4)
    again = datasets.read_csv(data, label_column="label", max_rows=20, random_state=4)
    other = datasets.read_csv(data, label_column="label", max_rows=20, random_state=5)
    assert first.X.shape == (20, 1) and first.sampled and first.n_original == 50
    np.testing.assert_array_equal(first.X, again.X)
    assert not np.array_equal(first.X, other.X)
    values = first.X.ravel()
    assert (np.diff(values) > 0).all()  # file order kept, no repeats
    assert first.y.tolist() == (values % 3).astype(int).tolist()  # labels follow their rows
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
    assert datasets.csv_columns(data) == (columns, guess)


def test_csv_columns_rejects_what_read_csv_rejects():
    with pytest.raises(ValueError, match=r"not a text CSV"):
        datasets.csv_columns(b"\x89PNG\r\n\x1a\n\x00\x00")
