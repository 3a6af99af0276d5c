"""Reading a user's CSV file of numbers: separators, headers, labels, row indexes, and clear errors."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import is_integer

MAX_CSV_ROWS = 100_000
MAX_CSV_BYTES = 50 * 2**20
_NA_TOKENS = {"", "nan", "na", "n/a", "null", "none"}
# Below this many rows, values alone do not make a column an index: a hand-made file of 12
# points may well number them 1..12 as a feature, or give each point its own label.
IDENTIFIER_MIN_ROWS = 20
_HEAD = 1000  # rows that show whether a column holds text
TEXT_ID = "text that names the rows: an identifier, neither a label nor a feature"


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
    left_out : dict of str to str
        Columns that look like a row index or an identifier, left out of the features, each with
        why (see ``read_csv``); empty when none was.
    """

    X: np.ndarray
    y: np.ndarray | None
    columns: list[str]
    label_name: str | None
    n_dropped: int
    n_original: int
    sampled: bool
    left_out: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CsvColumns:
    """What ``csv_columns`` finds in a CSV file, before it is read in full.

    Attributes
    ----------
    columns : list of str
        Every column of the file, in file order.
    label_guess : str or None
        The only column holding mostly text, or else a column named like a label ("class",
        "species", ...), identifiers aside; None when neither exists. A user can override it.
    identifiers : dict of str to str
        The columns ``read_csv`` leaves out unless told to keep them (a row index or an
        identifier), each with why.
    """

    columns: list[str]
    label_guess: str | None
    identifiers: dict[str, str]


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
        first_unnamed = table.iloc[0, 0] == ""  # what pandas' to_csv writes above its index
        table = table.iloc[1:]
    else:
        names, first_unnamed = [f"x{i + 1}" for i in range(table.shape[1])], False
    if len(set(names)) < len(names):
        raise ValueError(f"the header repeats a column name ({', '.join(names)}); names must "
                         "be unique")
    table.columns = names
    return table.reset_index(drop=True), sep, first_unnamed


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


def _parse_numbers(table, sep, skip=None, in_full=True):
    """Every column but ``skip``, parsed once: (its numbers, where a cell is text).

    With ``in_full=False``, only a column whose first ``_HEAD`` rows are whole numbers is parsed
    in full (it may count the rows); the head of the others tells text from measurements.
    """
    parsed = {}
    for name in table.columns:
        if name == skip:
            continue
        head = values, text = _numeric(table[name].iloc[:_HEAD], sep)
        whole = not text.any() and bool((values == values.round()).all())
        parsed[name] = _numeric(table[name], sep) if in_full or whole else head
    return parsed


def _to_numbers(cells, name, numbers):
    values, bad = numbers
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


def _check_csv_args(label_column, max_rows, columns, keep_columns):
    """The columns to keep as features whatever they look like, once the arguments are checked."""
    if not is_integer(max_rows) or max_rows < 2:
        raise ValueError(f"max_rows={max_rows!r} is invalid; use an integer >= 2")
    if label_column is not None and label_column not in columns:
        raise ValueError(f"label column {label_column!r} is not in the file; its columns are "
                         f"{', '.join(columns)}")
    if len(columns) - (label_column is not None) < 1:
        raise ValueError("the file has no feature column besides the label; it needs at least "
                         "one column of numbers")
    keep = {keep_columns} if isinstance(keep_columns, str) else set(keep_columns)
    unknown = sorted(keep - set(columns))
    if unknown:
        raise ValueError(f"column {', '.join(map(repr, unknown))} to keep is not in the file; its "
                         f"columns are {', '.join(columns)}")
    return keep


LABEL_NAMES = ("label", "labels", "class", "target", "species", "category", "cluster")
# Whole names (lower case, without spaces, _ - . :) that mean "row number" or "identifier".
INDEX_NAMES = ("index", "idx", "id", "row", "rowid", "rowindex", "rownum", "rownumber", "rowno", "no",
               "nr", "#")


def _named_like_id(name):
    """Pandas' "Unnamed: 0", one of INDEX_NAMES, or "id" as a word of its own ("sample_id",
    "customerID"; not "acid" or "fluid")."""
    squeezed = re.sub(r"[\s_.:-]+", "", name.lower())
    if squeezed in INDEX_NAMES or re.fullmatch(r"unnamed\d+", squeezed):
        return True
    words = re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|\d+", name)  # snake, spaced or camelCase
    return "id" in (word.lower() for word in words)


def _counts_rows(values):
    """Whether numbers are 0..n-1 or 1..n, each once, in any order (a shuffled index still leaks)."""
    v = values.to_numpy(dtype=np.float64)
    if not np.isfinite(v).all() or (v != np.round(v)).any():
        return False
    # n distinct whole numbers from 0 (or 1) to n-1 (or n): exactly the run.
    return v.min() in (0, 1) and v.max() == v.min() + len(v) - 1 and len(np.unique(v)) == len(v)


def _identifier_reason(cells, numbers, name, first_unnamed):
    """Why a column looks like a row index or an identifier, or None when it does not."""
    values, text = numbers
    judged_by_values = len(cells) >= IDENTIFIER_MIN_ROWS
    if text.mean() > 0.5:  # text as the label guess counts it
        distinct = judged_by_values and (cells != "").all() and cells.nunique() == len(cells)
        return TEXT_ID if first_unnamed or _named_like_id(name) or distinct else None
    if first_unnamed:
        return "an unnamed first column, as pandas writes its index"
    if _named_like_id(name):
        return "named like a row index or an ID"
    if judged_by_values and not text.any() and _counts_rows(values):
        low = int(values.min())
        return f"whole numbers {low}..{low + len(cells) - 1}, one per row: row numbers"
    return None


def _identifiers(table, numbers, first_unnamed):
    """The columns parsed in ``numbers`` that look like a row index or an identifier, with why."""
    found = {}
    for i, name in enumerate(table.columns):
        unnamed = first_unnamed and i == 0
        reason = _identifier_reason(table[name], numbers[name], name, unnamed) if name in numbers else None
        if reason:
            found[name] = reason
    return found


def csv_columns(source):
    """The column names of a CSV file, a guess at its label column, and its likely identifiers.

    Parameters
    ----------
    source : path, bytes or file-like
        As for ``read_csv``.

    Returns
    -------
    CsvColumns

    Raises
    ------
    ValueError
        When the file is not a readable CSV table (same messages as ``read_csv``).
    """
    table, sep, first_unnamed = _parse_table(_decode(_read_bytes(source)))
    columns, numbers = list(table.columns), _parse_numbers(table, sep, in_full=False)
    identifiers = _identifiers(table, numbers, first_unnamed)
    others = [c for c in columns if c not in identifiers]  # as many classes as rows is no label
    # Mostly text: a label; a stray word in a column of numbers is a mistake for read_csv to name.
    text = [c for c in others if numbers[c][1].iloc[:_HEAD].mean() > 0.5]
    if len(text) == 1:
        return CsvColumns(columns, text[0], identifiers)
    named = [c for c in others if c.strip().lower() in LABEL_NAMES]
    return CsvColumns(columns, named[0] if len(named) == 1 and not text else None, identifiers)


def _features(table, numbers, first_unnamed, label_column, keep):
    """The feature columns, and the columns left out as identifiers with why."""
    found = _identifiers(table, numbers, first_unnamed)
    left_out = {name: reason for name, reason in found.items() if name not in keep}
    features = [c for c in table.columns if c != label_column and c not in left_out]
    if not features:
        named = "; ".join(f"{name}: {reason}" for name, reason in left_out.items())
        raise ValueError(f"the file has no feature column once the row index or identifier "
                         f"columns are left out ({named}); name one in keep_columns to train on it")
    return features, left_out


def read_csv(source, label_column=None, drop_nonfinite=False, max_rows=MAX_CSV_ROWS,
             random_state=0, keep_columns=()):
    """Read a CSV file of numbers, optionally with a label column.

    A column that looks like a row index or an identifier is left out of the features, since a
    file sorted by class would otherwise hand its answer to the clustering through the row
    numbers: an unnamed first column (pandas' ``to_csv`` writes its index so); a column named
    like an index ("Unnamed: 0", "index", "id", "sample_id", ...); and, in files of at least
    ``IDENTIFIER_MIN_ROWS`` rows, whole numbers 0..n-1 or 1..n in any order, or text with a
    different value in every row. ``CsvData.left_out`` says which, and why.

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
    keep_columns : str or iterable of str
        Columns to train on even though they look like a row index or an identifier (text
        cannot be kept: features hold numbers).

    Returns
    -------
    CsvData
    """
    table, sep, first_unnamed = _parse_table(_decode(_read_bytes(source)))
    keep = _check_csv_args(label_column, max_rows, list(table.columns), keep_columns)
    if table.empty:
        raise ValueError("the file has a header but no data rows; add at least 2 rows")
    numbers = _parse_numbers(table, sep, skip=label_column)
    features, left_out = _features(table, numbers, first_unnamed, label_column, keep)
    X = np.column_stack([_to_numbers(table[c], c, numbers[c]) for c in features])
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
                   sampled=len(rows) < len(X), left_out=left_out)
