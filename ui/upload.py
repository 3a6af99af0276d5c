"""Your own data: a CSV file checked in full before it replaces the current data and run.

A file that cannot be used leaves the data and run as they were, says why, and empties the
uploader, so that the uploader, the caption and the data set never name different files; an
offer (drop the incomplete rows, keep a column left out as a row index) may still make it usable.
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
            "never for training. A row index or an ID column (pandas' unnamed index, \"id\", 0..n-1) is "
            "left out unless you keep it.")


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


def _keepable(left_out: dict[str, str], label: str | None = None) -> tuple[str, ...]:
    """The columns left out (name -> why) that could be trained on: numbers, not the label."""
    return tuple(name for name, why in left_out.items() if why != datasets.TEXT_ID and name != label)


def _bold(names) -> str:
    return ", ".join(f"**{name}**" for name in names)


def _check(parsed: datasets.CsvData, n_clusters: int) -> None:
    if parsed.X.shape[1] < 2:
        left_out = _keepable(parsed.left_out)
        once = f" once {', '.join(left_out)} (a row index, by the look of it) is left out" if left_out else ""
        raise ValueError(f"it has only one numeric feature column ({parsed.columns[0]}){once}; GANKMeans "
                         "needs at least 2 (the label column does not count)")
    if len(parsed.X) < n_clusters:
        raise ValueError(f"it has {len(parsed.X)} usable rows, fewer than K = {n_clusters} clusters; "
                         "lower K first, or add rows")


def _file(name: str, raw: bytes) -> dict:
    """What the app keeps of a file that parses as a table (else ValueError)."""
    found = datasets.csv_columns(raw)
    return {"name": name, "raw": raw, "digest": app_data.digest(raw),  # once: a file may be 50 MiB
            "columns": found.columns, "identifiers": found.identifiers, "label_guess": found.label_guess}


def _read(file: dict, label: str | None, drop: bool, keep: tuple[str, ...]) -> datasets.CsvData:
    """The parsed file, if the app can use it with the K it would get (else ValueError)."""
    seed = int(st.session_state["seed"])
    parsed = app_data.read_upload(file["digest"], label, drop, keep, seed, file["raw"], file["name"])[1]
    _check(parsed, _k_for(_n_classes(parsed)))
    return parsed


def _offer(file: dict, label: str | None, drop: bool, keep: tuple[str, ...]) -> dict | None:
    """What would make a rejected file usable: dropping its incomplete rows, keeping the columns
    left out as a row index, or both; None when neither does."""
    more = tuple(name for name in _keepable(file["identifiers"], label) if name not in keep)
    tries = [(True, keep)] if not drop else []
    tries += [(drop, keep + more), (True, keep + more)] if more else []
    for try_drop, try_keep in dict.fromkeys(tries):  # in order, without repeats
        try:
            parsed = _read(file, label, try_drop, try_keep)
        except ValueError:
            continue
        rows = parsed.n_dropped if try_drop and not drop else 0
        kept = try_keep[len(keep):]
        does = ", ".join([f"drop the {rows} incomplete row{'s' * (rows != 1)}"] * bool(rows)
                         + [f"keep {', '.join(kept)} as a feature"] * bool(kept))
        if not does:  # the same data as the rejected one: nothing to offer
            continue
        return {"file": file, "label": label, "drop": try_drop, "keep": try_keep, "rows": rows, "does": does,
                "of": parsed.n_dropped + parsed.n_original, "button": does[0].upper() + does[1:]}
    return None


def _reject(name: str, reason: str, offer: dict | None = None, new_file: bool = True) -> None:
    st.session_state["upload_error"] = {"name": name, "reason": reason, "offer": offer, "new_file": new_file,
                                        "dataset": st.session_state["dataset"]}


def _reason(exc: ValueError, offer: dict | None) -> str:
    if not offer:
        return str(exc)
    first = (f"{offer['rows']} of {offer['of']} rows have missing (NaN, empty) or infinite values"
             if offer["rows"] else str(exc))
    return f"{first}; {offer['does']} with the button under the uploader, or fix the file"


def _use(file: dict, label: str | None, drop: bool = False, keep: tuple[str, ...] = (), set_k: bool = True,
         new_file: bool = False) -> bool:
    """Make the file the current data set, or keep everything and record why not."""
    st.session_state.pop("upload_error", None)
    try:
        parsed = _read(file, label, drop, keep)
    except ValueError as exc:
        offer = _offer(file, label, drop, keep)
        _reject(file["name"], _reason(exc, offer), offer, new_file)
        return False
    previous = st.session_state.get("upload")
    st.session_state["upload"] = {**file, "label": label, "drop": drop, "keep": keep,
                                  "n_classes": _n_classes(parsed), "spread_ratio": spread_ratio(parsed.X)}
    st.session_state["upload_label_choice"] = label or NO_LABEL
    st.session_state["dataset"] = app_data.UPLOAD
    if set_k:
        st.session_state["n_clusters"] = natural_k()
    if previous is None or previous["digest"] != file["digest"]:  # a new file: its own default
        st.session_state["standardize"] = st.session_state["upload"]["spread_ratio"] > SPREAD_RATIO_LIMIT
    return True


def _uploader_key() -> str:
    # A fresh key is the only way to empty a file uploader from the server.
    return f"upload_file_{st.session_state.get('upload_box', 0)}"


def _on_file() -> None:
    uploaded = st.session_state.get(_uploader_key())
    if uploaded is None:  # the file was removed from the box: the data it gave stays
        st.session_state.pop("upload_error", None)
        return
    try:
        file = _file(uploaded.name, uploaded.getvalue())
    except ValueError as exc:
        _reject(uploaded.name, str(exc))
        used = False
    else:
        used = _use(file, file["label_guess"], new_file=True)
    if not used:  # an empty box, rather than one naming a file the data does not come from
        st.session_state["upload_box"] = st.session_state.get("upload_box", 0) + 1


def _on_label() -> None:
    upload = st.session_state["upload"]
    choice = st.session_state["upload_label_choice"]
    if not _use(upload, None if choice == NO_LABEL else choice, upload["drop"], upload["keep"]):
        st.session_state["upload_label_choice"] = upload["label"] or NO_LABEL  # the data did not change


def _set_keep(keep: tuple[str, ...]) -> None:
    upload = st.session_state["upload"]
    _use(upload, upload["label"], upload["drop"], keep, set_k=False)


def _take_offer() -> None:
    error = rejection()
    if error and error["offer"]:
        offer = error["offer"]
        _use(offer["file"], offer["label"], offer["drop"], offer["keep"], new_file=True)


def rejection() -> dict | None:
    """The last file the app could not use, while what it says still holds; else None."""
    error = st.session_state.get("upload_error")
    if error and error["dataset"] != st.session_state.get("dataset"):  # the user has moved on
        st.session_state.pop("upload_error")
        return None
    return error


def _current_data() -> str:
    """The data set in use, as its selector names it."""
    upload, name = st.session_state.get("upload"), st.session_state["dataset"]
    return f"**{upload['name']}**" if name == app_data.UPLOAD and upload else f"**{name}**"


def _rejected(error: dict) -> None:
    """Under the uploader: the rejected file, and what would make it usable."""
    if error["new_file"]:
        st.caption(f"**{error['name']}** was not used (see why above the charts); the data is still "
                   f"{_current_data()}.")
    if error["offer"]:
        st.button(error["offer"]["button"], on_click=_take_offer, key="upload_offer")


def _kept_or_left_out(upload: dict, parsed: datasets.CsvData) -> None:
    """A button to train on the columns left out as a row index, or to leave them out again."""
    keepable = _keepable(parsed.left_out, upload["label"])
    if keepable:
        st.button(f"Keep {', '.join(keepable)} as a feature", key="upload_keep", on_click=_set_keep,
                  args=(upload["keep"] + keepable,))
    if upload["keep"]:
        st.button(f"Leave {', '.join(upload['keep'])} out again", key="upload_leave_out", on_click=_set_keep,
                  args=((),))


def sidebar() -> None:
    """The upload box, a rejected file's offer, the label column, and what was read."""
    upload, error = st.session_state.get("upload"), rejection()
    with st.expander("Upload your own data (CSV)", expanded=upload is not None or error is not None):
        st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key=_uploader_key(), on_change=_on_file,
                         help=ACCEPTED)
        if error:
            _rejected(error)
        if upload is None:
            return
        st.selectbox("Label column (for scores only)", [NO_LABEL, *upload["columns"]],
                     key="upload_label_choice", on_change=_on_label,
                     help="True labels, if the file has them: used for ARI and NMI, never for training.")
        for note in notes(st.session_state["seed"]):
            st.caption(note)
        _kept_or_left_out(upload, _parsed(upload, st.session_state["seed"])[1])


def _parsed(upload: dict, seed: int) -> tuple[app_data.Data, datasets.CsvData]:
    return app_data.read_upload(upload["digest"], upload["label"], upload["drop"], upload["keep"], int(seed),
                                upload["raw"], upload["name"])


def notes(seed: int) -> list[str]:
    """What was read from the file, with the current seed (it picks the sample of a large file)."""
    upload = st.session_state["upload"]
    data, parsed = _parsed(upload, seed)
    info = data.info
    found = [f"**{upload['name']}**: {info['rows']:,} rows × {len(parsed.columns)} features"
             + (f", {upload['n_classes']} label classes" if upload["label"] else ", no labels")]
    if parsed.left_out:
        why = "; ".join(f"**{name}**, {reason}" for name, reason in parsed.left_out.items())
        found.append(f"Left out of training: {why}.")
    if upload["keep"]:
        they = "it looks" if len(upload["keep"]) == 1 else "they look"
        found.append(f"Trained on {_bold(upload['keep'])} too, although {they} like a row index.")
    if info["rows_dropped"]:
        found.append(f"{info['rows_dropped']:,} incomplete rows were dropped.")
    if info["sampled_from"]:
        found.append(f"The file has {info['sampled_from']:,} usable rows, more than the limit of "
                     f"{app_data.MAX_POINTS:,}: a random sample of {info['rows']:,} is used (change the "
                     "seed for another sample).")
    return found


def show_error() -> None:
    """The last rejected file, in the main view, where it is seen."""
    error = rejection()
    if error:
        st.error(f"**{error['name']}** cannot be used: {error['reason']}.\n\n{ACCEPTED}\n\nThe previous data "
                 f"and run are kept: {_current_data()}.", icon=":material/upload_file:")
