"""Sharing: every control mirrored in the URL's query string, read back with safe fallbacks."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import streamlit as st

from gankmeans import datasets

from . import controls as c
from .data import UPLOAD


def _choice(options):
    def parse(text: str):
        for option in options:
            if text == str(option):
                return option
            if not isinstance(option, str) and _close(text, option):
                return option
        raise ValueError(f"expected one of {', '.join(map(str, options))}")
    return parse


def _close(text: str, option) -> bool:
    try:
        return math.isclose(float(text), float(option), rel_tol=1e-9)
    except ValueError:
        return False


def _integer(low: int, high: int):
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"expected an integer from {low} to {high}")
        return value
    return parse


def _number(low: float, high: float, step: float):
    def parse(text: str) -> float:
        value = float(text)
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"expected a number from {low} to {high}")
        return round(round(value / step) * step, 6)  # onto the slider's grid
    return parse


def _boolean(text: str) -> bool:
    if text.lower() in ("true", "1", "yes", "on"):
        return True
    if text.lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


# One parser per control, with the same ranges and options as its widget.
PARSERS = {
    "dataset": _choice(datasets.NAMES),
    "n_samples": _integer(10, c.MAX_POINTS),
    "noise": _number(0.0, 1.0, 0.01),
    "seed": _integer(0, 2**31 - 1),
    "n_clusters": _integer(1, 12),
    "max_epochs": _integer(1, 5_000),
    "lr_student": _choice(c.LEARNING_RATES),
    "lr_discriminator": _choice(c.LEARNING_RATES),
    "hidden": _choice(c.HIDDEN_SIZES),
    "batch_size": _choice(c.BATCH_SIZES),
    "discriminator": _choice(("conditional", "label")),
    "tie_margin": _number(0.0, 2.0, 0.05),
    "teacher_weight": _number(0.0, 2.0, 0.1),
    "handover": _choice(c.HANDOVERS),
    "handover_epoch": _integer(1, 10_000),
    "init": _choice(("k-means++", "random")),
    "tol": _choice(c.TOLERANCES),
    "standardize": _boolean,
    "teacher_space": _choice(tuple(c.SPACES)),
    "n_neighbors": _integer(3, 50),
    "speed": _choice(c.SPEEDS),
    "heatmap": _boolean,
}


HIDE = "hide"  # classroom links: ?hide=tie_margin,teacher_weight hides those controls


def parse_hidden(text: str) -> tuple[tuple[str, ...], list[str]]:
    """The controls a classroom link hides, and a note per name that is not a control."""
    names = [name.strip() for name in str(text)[:1000].split(",") if name.strip()]
    hidden = tuple(name for name in names if name in PARSERS)
    notes = [f"`{HIDE}` names `{name[:30]}`, which is not a control" for name in names
             if name not in PARSERS]
    return hidden, notes


def parse(query: dict[str, str]) -> tuple[dict, list[str]]:
    """Control values from a query string, and one note per value that was not usable."""
    values, notes = {}, []
    for key, text in query.items():
        if key == HIDE:
            continue
        if key not in PARSERS:
            notes.append(f"`{key}` is not a setting, so it was ignored")
            continue
        try:
            values[key] = PARSERS[key](str(text)[:100])  # a hostile, huge value is cut short
        except (ValueError, OverflowError) as exc:
            notes.append(f"`{key}={str(text)[:30]}` is not allowed ({exc}); the default "
                         f"{c.DEFAULTS[key]} is used")
    return values, notes


def restore_once() -> list[str]:
    """Set the controls from the URL on a session's first run; returns the notes to show, until
    the user changes a control.

    Controls a classroom link hides are not drawn, and Streamlit forgets the value of a widget
    it did not draw, so their linked values are pinned and set again on every run.
    """
    if "url_notes" not in st.session_state:
        query = {key: st.query_params[key] for key in st.query_params}
        values, notes = parse(query)
        if "dataset" in values:  # as choosing the data set does, unless the link says otherwise
            values.setdefault("n_clusters", c.natural_k(values["dataset"]))
            values.setdefault("standardize", c.standardize_default(values["dataset"]))
        hidden, hide_notes = parse_hidden(query.get(HIDE, ""))
        st.session_state.update(values)
        st.session_state["hidden_controls"] = hidden
        st.session_state["pinned"] = {key: st.session_state[key] for key in hidden}
        st.session_state["url_notes"] = notes + hide_notes
    st.session_state.update(st.session_state["pinned"])
    if "linked_values" not in st.session_state:
        st.session_state["linked_values"] = c.values()
    elif st.session_state["url_notes"] and st.session_state["linked_values"] != c.values():
        st.session_state["url_notes"] = []  # the user has changed something: the notes are old news
    return st.session_state["url_notes"]


def link_query(values: dict) -> dict[str, str]:
    """The query string of a link to these controls (and to the same hidden ones).

    A link cannot carry an uploaded file, so with one it leaves out the data set.
    """
    query = {key: str(values[key]) for key in PARSERS}
    if values["dataset"] == UPLOAD:
        for key in ("dataset", "n_samples", "noise"):
            del query[key]
    hidden = st.session_state.get("hidden_controls", ())
    if hidden:
        query[HIDE] = ",".join(hidden)
    return query


def mirror(values: dict) -> None:
    """Write every control into the URL, so the address bar always holds a shareable link."""
    query = link_query(values)
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)


def copy_link(values: dict) -> None:
    """A box holding this run's link, with Streamlit's copy button."""
    base = (st.context.url or "").split("?")[0]
    with st.expander("Share this run"):
        st.code(f"{base}?{urlencode(link_query(values))}", language=None, wrap_lines=True)
        if values["dataset"] == UPLOAD:
            st.caption("A link cannot carry your file: it shares the settings, and whoever opens it "
                       "uploads the same file to get the same run.")
        st.caption("Anyone opening it gets these settings, seed included, and so the same run. "
                   f"Add `&{HIDE}=tie_margin,teacher_weight` to hide controls for a class.")
