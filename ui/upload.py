"""Your own data: a CSV file checked in full before it replaces the current data and run.

A file that cannot be used leaves everything as it was and says why; one with incomplete rows
comes with an offer to drop them.
"""

from __future__ import annotations

import streamlit as st

from gankmeans import datasets
from gankmeans.scaling import spread_ratio

from . import data as app_data

NO_LABEL = "(none)"
ACCEPTED = ("A text file of numbers, one row per point: comma-, semicolon- or tab-separated, with or "
            f"without a header row, at most {datasets.MAX_CSV_BYTES // 2**20} MiB. It needs at least 2 "
            "numeric columns; an optional label column (text or numbers) is used for ARI and NMI only, "
            "never for training.")


MAX_K = 12  # the K slider's top
# A file whose columns' spreads differ more than this many times starts with its features
# standardised: its columns are likely in different units.
SPREAD_RATIO_LIMIT = 10.0


def _n_classes(parsed: datasets.CsvData) -> int:
    return 0 if parsed.y is None else int(parsed.y.max()) + 1


def _k_for(n_classes: int) -> int:
    """K for a file: its number of label classes (at most MAX_K), or else the current K."""
    return min(MAX_K, n_classes) or int(st.session_state["n_clusters"])


def natural_k() -> int:
    """K for the uploaded file (see _k_for)."""
    upload = st.session_state.get("upload")
    return _k_for(upload["n_classes"] if upload else 0)


def _check(parsed: datasets.CsvData, n_clusters: int) -> None:
    if parsed.X.shape[1] < 2:
        raise ValueError(f"it has only one numeric feature column ({parsed.columns[0]}); GANKMeans needs "
                         "at least 2 (the label column does not count)")
    if len(parsed.X) < n_clusters:
        raise ValueError(f"it has {len(parsed.X)} usable rows, fewer than K = {n_clusters} clusters; "
                         "lower K first, or add rows")


def _read(name: str, raw: bytes, file_digest: str, label: str | None, drop: bool) -> datasets.CsvData:
    """The parsed file, if the app can use it with the K it would get (else ValueError)."""
    seed = int(st.session_state["seed"])
    parsed = app_data.read_upload(file_digest, label, drop, seed, raw, name)[1]
    _check(parsed, _k_for(_n_classes(parsed)))
    return parsed


def _drop_offer(name: str, raw: bytes, file_digest: str, label: str | None) -> dict | None:
    """If dropping incomplete rows would make the file usable: how many rows that is."""
    try:
        parsed = _read(name, raw, file_digest, label, drop=True)
    except ValueError:
        return None
    if not parsed.n_dropped:
        return None
    return {"name": name, "raw": raw, "label": label, "rows": parsed.n_dropped,
            "of": parsed.n_dropped + parsed.n_original}


def _use(name: str, raw: bytes, label: str | None, drop: bool = False) -> None:
    """Make the file the current data set, or keep everything and record why not."""
    st.session_state.pop("upload_error", None)
    st.session_state.pop("upload_offer", None)
    file_digest = app_data.digest(raw)  # once: a file may be 50 MiB
    try:
        parsed = _read(name, raw, file_digest, label, drop)
    except ValueError as exc:
        offer = None if drop else _drop_offer(name, raw, file_digest, label)
        reason = str(exc) if not offer else (
            f"{offer['rows']} of {offer['of']} rows have missing (NaN, empty) or infinite values; "
            "drop them with the button under the file, or fix the file")
        st.session_state["upload_error"] = (name, reason)
        st.session_state["upload_offer"] = offer
        return
    previous = st.session_state.get("upload")
    st.session_state["upload"] = {"name": name, "raw": raw, "digest": file_digest, "label": label,
                                  "drop": drop, "columns": [*parsed.columns, *([label] if label else [])],
                                  "n_classes": _n_classes(parsed), "spread_ratio": spread_ratio(parsed.X)}
    st.session_state["upload_label_choice"] = label or NO_LABEL
    st.session_state["dataset"] = app_data.UPLOAD
    st.session_state["n_clusters"] = natural_k()
    if previous is None or previous["digest"] != file_digest:  # a new file: its own default
        st.session_state["standardize"] = st.session_state["upload"]["spread_ratio"] > SPREAD_RATIO_LIMIT


def _on_file() -> None:
    file = st.session_state.get("upload_file")
    if file is None:  # the file was removed from the box: the data it gave stays
        st.session_state.pop("upload_error", None)
        st.session_state.pop("upload_offer", None)
        return
    raw = file.getvalue()
    try:
        label = datasets.csv_columns(raw)[1]
    except ValueError as exc:
        st.session_state["upload_error"] = (file.name, str(exc))
        st.session_state.pop("upload_offer", None)
        return
    _use(file.name, raw, label)


def _on_label() -> None:
    upload = st.session_state["upload"]
    choice = st.session_state["upload_label_choice"]
    _use(upload["name"], upload["raw"], None if choice == NO_LABEL else choice, upload["drop"])
    if "upload_error" in st.session_state:  # the data did not change, so neither does the box
        st.session_state["upload_label_choice"] = upload["label"] or NO_LABEL


def _take_offer() -> None:
    offer = st.session_state.get("upload_offer")
    if offer:
        _use(offer["name"], offer["raw"], offer["label"], drop=True)


def sidebar() -> None:
    """The upload box, the drop offer, the label column, and what was read."""
    upload = st.session_state.get("upload")
    with st.expander("Upload your own data (CSV)", expanded=upload is not None):
        st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="upload_file", on_change=_on_file,
                         help=ACCEPTED)
        offer = st.session_state.get("upload_offer")
        if offer:
            st.button(f"Drop the {offer['rows']} incomplete rows", on_click=_take_offer, key="upload_drop")
        if upload is None:
            return
        st.selectbox("Label column (for scores only)", [NO_LABEL, *upload["columns"]],
                     key="upload_label_choice", on_change=_on_label,
                     help="True labels, if the file has them: used for ARI and NMI, never for training.")
        for note in notes(st.session_state["seed"]):
            st.caption(note)


def notes(seed: int) -> list[str]:
    """What was read from the file, with the current seed (it picks the sample of a large file)."""
    upload = st.session_state["upload"]
    info = app_data.read_upload(upload["digest"], upload["label"], upload["drop"], int(seed),
                                upload["raw"], upload["name"])[0].info
    n_features = len(upload["columns"]) - bool(upload["label"])
    found = [f"**{upload['name']}**: {info['rows']:,} rows × {n_features} features"
             + (f", {upload['n_classes']} label classes" if upload["label"] else ", no labels")]
    if info["rows_dropped"]:
        found.append(f"{info['rows_dropped']:,} incomplete rows were dropped.")
    if info["sampled_from"]:
        found.append(f"The file has {info['sampled_from']:,} usable rows, more than the limit of "
                     f"{app_data.MAX_POINTS:,}: a random sample of {info['rows']:,} is used (change the "
                     "seed for another sample).")
    return found


def show_error() -> None:
    """The last rejected file, in the main view, where it is seen."""
    if "upload_error" in st.session_state:
        name, reason = st.session_state["upload_error"]
        st.error(f"**{name}** cannot be used: {reason}.\n\n{ACCEPTED}\n\nThe previous data and run are kept.",
                 icon=":material/upload_file:")
