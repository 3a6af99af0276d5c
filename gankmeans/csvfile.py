"""Reading a user's CSV file of numbers: separators, headers, labels, and clear errors."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import is_integer

MAX_CSV_ROWS = 100_000
MAX_CSV_BYTES = 50 * 2**20
_NA_TOKENS = {"", "nan", "na", "n/a", "null", "none"}


@dataclass(frozen=True, eq=False)
class CsvData:
    """A parsed, validated CSV file.

    Attributes
    ----------
    X : ndarray of float64, shape (n_rows, n_features)
    y : ndarray of int64 or None
        Codes 0..C-1 of the label column's values in sorted order; None without a label column.
    columns : list of str
        Feature column names (x1, x2, ... when the file has no header).
    label_name : str or None
    n_dropped, n_original : int
        Rows dropped for NaN, infinity or an empty label; rows kept before sampling.
    sampled : bool
        Whether ``n_original`` exceeded ``max_rows`` and rows were sampled down to it.
    """

    X: np.ndarray
    y: np.ndarray | None
    columns: list[str]
    label_name: str | None
    n_dropped: int
    n_original: int
    sampled: bool


def _read_bytes(source):
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read(MAX_CSV_BYTES + 1)  # one byte more tells "too big" from "at the cap"
    # getvalue() returns the whole upload wherever its read position is (Streamlit reruns).
    data = source.getvalue() if hasattr(source, "getvalue") else source.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _decode(data):
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(f"the file is larger than the limit of {MAX_CSV_BYTES // 2**20} MiB; "
                         f"sample or split it first")
    not_text = ValueError("the file is not a text CSV file (binary content); upload a comma- "
                          "or semicolon-separated text file, UTF-8 encoded")
    if b"\x00" in data:
        raise not_text
    for encoding in ("utf-8-sig", "cp1252"):  # cp1252: what Excel on Windows saves
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise not_text
    if any(c in text for c in map(chr, [*range(1, 9), *range(14, 32)])):
        raise not_text
    if not text.strip():
        raise ValueError("the file is empty; expected a header row (optional) and data rows "
                         "of numbers separated by commas or semicolons")
    return text


def _parse_table(text):
    sample = text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text  # whole lines
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","  # a single column has no delimiter to find
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str,
                            keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ValueError(f"the file is not a valid CSV table ({str(exc).strip()}); every row "
                         "needs the same number of fields") from None
    table = table.fillna("")
    for column in table:
        table[column] = table[column].str.strip()
    if _has_header(table, sep):
        names = [n or f"column {i + 1}" for i, n in enumerate(table.iloc[0])]
        table = table.iloc[1:]
    else:
        names = [f"x{i + 1}" for i in range(table.shape[1])]
    if len(set(names)) < len(names):
        raise ValueError(f"the header repeats a column name ({', '.join(names)}); names must "
                         "be unique")
    table.columns = names
    return table.reset_index(drop=True), sep


def _numeric(cells, sep):
    """Parse cells as numbers; also return where a cell is neither a number nor a NaN token."""
    if sep == ";":  # semicolon files usually come with decimal commas: 1,5
        cells = cells.str.replace(",", ".", regex=False)
    values = pd.to_numeric(cells, errors="coerce")
    return values, values.isna() & ~cells.str.lower().isin(_NA_TOKENS)


def _has_header(table, sep):
    text = _numeric(table.iloc[0], sep)[1].to_numpy()
    if not text.any() or text.all():
        return bool(text.any())
    # A mixed first row is a header only if a text cell heads a numeric column; otherwise it
    # is a headerless row whose text is a label ("5.1,3.5,setosa").
    body = table.iloc[1:101, text]
    return any(not _numeric(body[c], sep)[1].any() for c in body)


def _to_numbers(cells, name, sep):
    values, bad = _numeric(cells, sep)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f'column "{name}" has a non-numeric value {cells.iloc[row]!r} in data '
                         f"row {row + 1}; feature columns must hold numbers (text belongs in "
                         "the label column)")
    return values.to_numpy(dtype=np.float64)


def _encode_labels(cells):
    numbers = pd.to_numeric(cells, errors="coerce")
    values = numbers if not numbers.isna().any() else cells
    return pd.factorize(values, sort=True)[0].astype(np.int64)


def _check_csv_args(label_column, max_rows, columns):
    if not is_integer(max_rows) or max_rows < 2:
        raise ValueError(f"max_rows={max_rows!r} is invalid; use an integer >= 2")
    if label_column is not None and label_column not in columns:
        raise ValueError(f"label column {label_column!r} is not in the file; its columns are "
                         f"{', '.join(columns)}")
    if len(columns) - (label_column is not None) < 1:
        raise ValueError("the file has no feature column besides the label; it needs at least "
                         "one column of numbers")


LABEL_NAMES = ("label", "labels", "class", "target", "species", "category", "cluster")


def csv_columns(source):
    """The column names of a CSV file, and a guess at its label column.

    Parameters
    ----------
    source : path, bytes or file-like
        As for ``read_csv``.

    Returns
    -------
    columns : list of str
    label_guess : str or None
        The only column holding mostly text, or else a column named like a label ("class", "species",
        ...); None when neither exists. A user can override it.

    Raises
    ------
    ValueError
        When the file is not a readable CSV table (same messages as ``read_csv``).
    """
    table, sep = _parse_table(_decode(_read_bytes(source)))
    columns = list(table.columns)
    # Mostly text: a label; a stray word in a column of numbers is a mistake for read_csv to name.
    text = [c for c in columns if _numeric(table[c].iloc[:1000], sep)[1].mean() > 0.5]
    if len(text) == 1:
        return columns, text[0]
    named = [c for c in columns if c.strip().lower() in LABEL_NAMES]
    return columns, named[0] if len(named) == 1 and not text else None


def read_csv(source, label_column=None, drop_nonfinite=False, max_rows=MAX_CSV_ROWS,
             random_state=0):
    """Read a CSV file of numbers, optionally with a label column.

    Parameters
    ----------
    source : path, bytes or file-like
        Binary or text file object (e.g. Streamlit's ``UploadedFile``), at most 50 MiB.
        Commas, semicolons (with decimal commas), tabs or bars separate fields; the first row
        is a header unless every cell in it is a number (columns are then x1, x2, ...).
    label_column : str or None
        Column holding true labels (text or numbers); the other columns are features.
    drop_nonfinite : bool
        Drop rows with NaN, infinity, empty cells or an empty label instead of raising.
    max_rows : int
        Keep at most this many rows, sampled without replacement, in file order.
    random_state : int or None
        Seed of the sampling.

    Returns
    -------
    CsvData
    """
    table, sep = _parse_table(_decode(_read_bytes(source)))
    _check_csv_args(label_column, max_rows, list(table.columns))
    if table.empty:
        raise ValueError("the file has a header but no data rows; add at least 2 rows")
    features = [c for c in table.columns if c != label_column]
    X = np.column_stack([_to_numbers(table[c], c, sep) for c in features])
    bad = ~np.isfinite(X).all(axis=1)
    if label_column is not None:
        bad |= (table[label_column] == "").to_numpy()
    if bad.any() and not drop_nonfinite:
        raise ValueError(f"{bad.sum()} of {len(X)} rows contain NaN, infinity or empty cells; "
                         "fix them or let them be dropped (drop_nonfinite=True)")
    X, table = X[~bad], table[~bad]
    if len(X) < 2:
        raise ValueError(f"only {len(X)} usable data row(s) left; need at least 2")
    rows = np.arange(len(X))
    if len(X) > max_rows:
        rng = np.random.default_rng(random_state)
        rows = np.sort(rng.choice(len(X), max_rows, replace=False))
    y = None if label_column is None else _encode_labels(table[label_column].iloc[rows])
    return CsvData(X=np.ascontiguousarray(X[rows]), y=y, columns=features,
                   label_name=label_column, n_dropped=int(bad.sum()), n_original=len(X),
                   sampled=len(rows) < len(X))
