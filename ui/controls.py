"""The sidebar: one flat dict of control values (keys = TrainConfig names), presets, run buttons."""

from __future__ import annotations

import streamlit as st

from gankmeans import TrainConfig, datasets

from . import upload
from .data import MAX_POINTS, UPLOAD

DATA_KEYS = ("dataset", "n_samples", "noise", "seed")
MODEL_KEYS = ("n_clusters", "max_epochs", "lr_student", "lr_discriminator", "hidden", "batch_size",
              "discriminator", "tie_margin", "teacher_weight", "handover", "handover_epoch", "init", "tol",
              "standardize", "teacher_space", "n_neighbors")
# The model's defaults are TrainConfig()'s, so that a file scores the same in the app, the library
# and the command line (docs/design-notes.md, "One set of defaults"); "handover_epoch" is the app's.
_LIBRARY = TrainConfig()
DEFAULTS = {
    "dataset": "blobs", "n_samples": 500, "noise": 0.15, "seed": 0,
    **{key: getattr(_LIBRARY, key) for key in MODEL_KEYS if key != "handover_epoch"},
    "handover_epoch": 30,
    "speed": "5", "heatmap": True, "compare": False, "preset": "Custom",
}
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = ("auto", 1, 4, 16, 32, 64, 128, 256, 1024)
HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)
TOLERANCES = (0.0, 1e-5, 1e-4, 1e-3, 1e-2)
SPEEDS = ("1", "2", "5", "10", "20", "50", "max")
HANDOVERS = ("never", "at epoch", "auto")
# The learned-space presets were measured with these (benchmarks/bench_spirals.py, the README's lessons).
LEARNED_RUN = {"tie_margin": 0.3, "max_epochs": 60}
PRESETS = {
    "Custom": {},
    # The seed write-up's own run: 100 integer grid points, K = 4, lr 1e-4, a label-only
    # discriminator, K random data points as centroids, one point per step.
    "Seed original": {"dataset": "seed", "n_samples": 100, "n_clusters": 4, "max_epochs": 100,
                      "lr_student": 1e-4, "lr_discriminator": 1e-4, "discriminator": "label",
                      "init": "random", "batch_size": 1, "tie_margin": 0.0},
    # Lessons 2 and 3 are watched: they run every epoch (no early stop) at 2 epochs a second.
    "Wide tie margin": {"dataset": "blobs", "noise": 0.12, "tie_margin": 0.6, "max_epochs": 40, "tol": 0.0,
                        "speed": "2"},
    "Handover": {"dataset": "blobs", "teacher_weight": 0.5, "handover": "auto", "max_epochs": 40,
                 "tie_margin": 0.3, "tol": 0.0, "speed": "2"},
    "Moons": {"dataset": "moons", "noise": 0.08, "n_clusters": 2, "tie_margin": 0.4, "max_epochs": 80},
    # The student's learned space, where K-Means' distance fails in the input.
    "Moons, learned space": {"dataset": "moons", "noise": 0.08, "n_clusters": 2, "teacher_space": "learned",
                             **LEARNED_RUN},
    "Circles, learned space": {"dataset": "circles", "noise": 0.05, "n_clusters": 2,
                               "teacher_space": "learned", **LEARNED_RUN},
    "Anisotropic, learned space": {"dataset": "anisotropic", "noise": 0.05, "n_clusters": 3,
                                   "teacher_space": "learned", **LEARNED_RUN},
    # At noise 0.05 the arms' neighbour graphs touch. At 0.03 one sample in five (seed 4) has an
    # arm that a sampling gap all but cuts, which every neighbour method cuts there; at 0.02 the
    # learned space separates the arms on every seed tried (benchmarks/bench_spirals.py).
    "Spirals, learned space": {"dataset": "spirals", "noise": 0.02, "n_clusters": 2,
                               "teacher_space": "learned", **LEARNED_RUN},
}
SPACES = {"input": "input (K-Means)", "learned": "learned (student)"}
# Standardise features by default only where columns are in different units: wine among the named
# sets (plain K-Means ARI 0.37, standardised 0.90), and a file whose columns' spreads differ more
# than upload.SPREAD_RATIO_LIMIT times. Digits' spreads differ too (some pixels are nearly always
# blank), but plain K-Means does better there (0.64 against 0.52).
STANDARDISED_SETS = ("wine",)


def init_state() -> None:
    """Give every control its default once per session."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def values() -> dict:
    """The current control values as one flat dict."""
    # .get: a widget that was not drawn in the last run has lost its key (Streamlit cleans it up)
    return {key: st.session_state.get(key, DEFAULTS[key]) for key in DEFAULTS if key != "preset"}


def run_key(controls: dict) -> tuple:
    """What a run depends on: a change of any of these discards the run."""
    upload = st.session_state.get("upload") if controls["dataset"] == UPLOAD else None
    file = None if upload is None else (upload["digest"], upload["label"], upload["drop"], upload["keep"])
    return (*(controls[k] for k in DATA_KEYS + MODEL_KEYS), file)


def speed(controls: dict) -> float | None:
    """Most epochs per second, or None for as fast as training goes."""
    return None if controls["speed"] == "max" else float(controls["speed"])


def to_config(controls: dict) -> TrainConfig:
    """Build the TrainConfig (raises ValueError for values it does not allow)."""
    handover = {"at epoch": controls["handover_epoch"]}.get(controls["handover"], controls["handover"])
    names = set(TrainConfig.field_names())
    kwargs = {k: v for k, v in controls.items() if k in names}
    return TrainConfig(**{**kwargs, "handover": handover, "random_state": controls["seed"], "device": "cpu"})


def _apply_preset() -> None:
    preset = PRESETS[st.session_state["preset"]]
    if preset:
        base = {k: v for k, v in DEFAULTS.items() if k in DATA_KEYS + MODEL_KEYS}
        st.session_state.update({**base, **preset})
        st.session_state["preset_key"] = run_key(values())


def _forget_edited_preset() -> None:
    # Once a control moves away from the preset, the selector should no longer claim it.
    if st.session_state["preset"] != "Custom" and st.session_state.get("preset_key") != run_key(values()):
        st.session_state["preset"] = "Custom"


def _dataset_changed() -> None:
    name = st.session_state["dataset"]
    st.session_state["n_clusters"] = natural_k(name)
    st.session_state["standardize"] = standardize_default(name)


def natural_k(name: str) -> int:
    """The K that choosing a data set sets: its number of groups (the file's label classes)."""
    return datasets.NATURAL_K.get(name) or upload.natural_k()


def standardize_default(name: str) -> bool:
    """Whether a data set starts with its features standardised (see STANDARDISED_SETS)."""
    if name == UPLOAD:
        file = st.session_state.get("upload")
        return bool(file) and file["spread_ratio"] > upload.SPREAD_RATIO_LIMIT
    return name in STANDARDISED_SETS


def _standardize_note(name: str) -> str:
    """Under the switch: when it starts on, and why it does (or not) for this data."""
    rule = f"wine and files whose columns' spreads differ more than {upload.SPREAD_RATIO_LIMIT:g}x"
    if name == UPLOAD:
        ratio = st.session_state["upload"]["spread_ratio"]
        verdict = "on" if ratio > upload.SPREAD_RATIO_LIMIT else "off"
        return f"Starts {verdict} for your file: its columns' spreads differ {ratio:,.1f}x (on for {rule})."
    if name in STANDARDISED_SETS:
        return f"Starts on for {name}: its columns are in different units (on for {rule})."
    return f"Starts off here: on for {rule}."


def _regenerate() -> None:
    st.session_state["seed"] = (int(st.session_state["seed"]) + 1) % 2**31  # the input's maximum is 2**31 - 1


# What the sidebar calls each control a link can fix (the *Fixed by this link* caption).
LABELS = {
    "dataset": "data set", "n_samples": "points", "noise": "noise", "seed": "seed", "n_clusters": "K",
    "max_epochs": "max epochs", "lr_student": "student learning rate",
    "lr_discriminator": "discriminator learning rate", "hidden": "hidden size", "batch_size": "batch size",
    "discriminator": "discriminator", "tie_margin": "tie margin", "teacher_weight": "teacher weight",
    "handover": "handover", "handover_epoch": "handover epoch", "init": "initial centroids",
    "tol": "stop early", "standardize": "standardise features", "teacher_space": "teacher's space",
    "n_neighbors": "neighbours per point", "speed": "speed", "heatmap": "decision regions",
}


def fixed_caption() -> None:
    """Name the controls a classroom link hides, with their values, so none vanishes unexplained."""
    hidden = st.session_state.get("hidden_controls", ())
    if hidden:
        fixed = ", ".join(f"{LABELS[key]} = {st.session_state[key]}" for key in hidden)
        st.caption(f"**Fixed by this link:** {fixed}.")


def shown(key: str) -> bool:
    """False for a control a classroom link hides (its value stays what the link set)."""
    return key not in st.session_state.get("hidden_controls", ())


def _number_input(label: str, low: int, high: int, key: str, **kwargs) -> None:
    """st.number_input whose default is the control's current value, not its minimum.

    The browser draws a new number input with its default and applies the session's value a
    moment later; a click in between sent the default (seen: 500 points, seed 1 and 60 epochs
    became 10, 0 and 1 when Train was pressed as the page appeared). The warning that
    Streamlit logs for a default beside a session value is off in .streamlit/config.toml.
    """
    current = st.session_state.get(key, DEFAULTS[key])
    # Clamped: a default outside the bounds raises, where an out-of-range session value is reset.
    st.number_input(label, low, high, value=min(max(current, low), high), key=key, **kwargs)


def _rate(label: str, key: str) -> None:
    st.select_slider(label, LEARNING_RATES, key=key, format_func=lambda v: f"{v:g}")


def sidebar_data() -> None:
    st.subheader("Data")
    file = st.session_state.get("upload")
    if shown("dataset"):
        names = (*datasets.NAMES, UPLOAD) if file else datasets.NAMES
        st.selectbox("Dataset", names, key="dataset", on_change=_dataset_changed,
                     format_func=lambda name: f"Your file: {file['name']}" if name == UPLOAD else name)
        upload.sidebar()
    name = st.session_state["dataset"]
    generated = name != UPLOAD  # a file brings its own points and noise
    if shown("n_samples") and generated:
        _number_input("Number of points", 10, MAX_POINTS, step=100, key="n_samples")
        rows = datasets.bundled_rows(name)
        if rows is not None:  # a real data set: the number is a cap, not what is drawn
            used = min(rows, int(st.session_state["n_samples"]))
            st.caption(f"{name} has {rows:,} rows: "
                       + ("all of them are used." if used == rows else f"a random {used:,} are used."))
    if shown("noise") and generated:
        ignored = name not in datasets.USES_NOISE
        st.slider("Noise", 0.0, 1.0, step=0.01, key="noise", disabled=ignored,
                  help=f"{name} has no noise setting." if ignored else
                  "Spread of the clusters, or jitter of the shapes.")
    if shown("seed"):
        _number_input("Random seed", 0, 2**31 - 1, step=1, key="seed")
    if shown("seed"):
        st.button("Regenerate", on_click=_regenerate, help="Draw the data again with the next seed.")


def sidebar_model() -> None:
    st.subheader("Model")
    if shown("n_clusters"):
        st.slider("K (clusters)", 1, 12, key="n_clusters")
    if shown("max_epochs"):
        _number_input("Max epochs", 1, 5_000, step=10, key="max_epochs")
    if shown("lr_student"):
        _rate("Student learning rate", "lr_student")
    if shown("lr_discriminator"):
        _rate("Discriminator learning rate", "lr_discriminator")
    if shown("hidden"):
        st.select_slider("Hidden size", HIDDEN_SIZES, key="hidden")
    if shown("batch_size"):
        st.select_slider("Batch size", BATCH_SIZES, key="batch_size")
    if shown("discriminator"):
        st.radio("Discriminator", ("conditional", "label"), key="discriminator", horizontal=True,
                 format_func={"conditional": "conditional (point, label)", "label": "label-only (seed)"}.get)
    if shown("tie_margin"):
        st.slider("Tie margin", 0.0, 2.0, step=0.05, key="tie_margin",
                  help="The teacher abstains where the distances to the two nearest centroids differ "
                       "by at most this many times the data's RMS spread (the square root of the "
                       "features' mean variance); the student decides those points.")
    if shown("teacher_weight"):
        st.slider("Teacher weight", 0.0, 2.0, step=0.1, key="teacher_weight",
                  help="Extra cross-entropy towards the teacher's labels; 0 is a pure GAN.")
    if shown("handover"):
        st.radio("Handover", HANDOVERS, key="handover", horizontal=True)
    if shown("handover_epoch"):
        _number_input("Handover epoch", 1, 10_000, key="handover_epoch",
                      disabled=st.session_state["handover"] != "at epoch")
    if shown("standardize"):
        st.toggle("Standardise features", key="standardize",
                  help="Divide each feature by its standard deviation before the teacher measures "
                       "distance. It matters when columns are in different units: plain K-Means then "
                       "sees little but the widest one.")
        st.caption(_standardize_note(st.session_state["dataset"]))
    if shown("teacher_space"):
        st.radio("Teacher's space", tuple(SPACES), key="teacher_space", horizontal=True,
                 format_func=SPACES.get,
                 help="Where the teacher measures distance: the input itself, or a space the student "
                      "learns so that neighbouring points land close together (moons and circles "
                      "become separable there).")
    if shown("n_neighbors"):
        st.slider("Neighbours per point (learned space)", 3, 50, key="n_neighbors",
                  disabled=st.session_state["teacher_space"] != "learned")
    if shown("init"):
        st.radio("Initial centroids", ("k-means++", "random"), key="init", horizontal=True)
    if shown("tol"):
        st.select_slider("Stop early when centroids move less than", TOLERANCES, key="tol",
                         format_func=lambda v: "never stop early" if v == 0 else f"{v:g}",
                         help="For 10 epochs in a row; in units of the data's RMS spread, as the "
                              "tie margin.")


def sidebar_run(status: str, actions: dict):
    """Train / Pause / Step / Reset (``actions`` maps each to its callback) and the speed.

    Returns a slot under them for the decision-regions switch, which needs the data set first.
    """
    st.subheader("Run")
    left, right = st.columns(2)
    left.button("Train", type="primary", width="stretch", on_click=actions["train"],
                disabled=status == "playing", help="Start, resume, or start again after the end.")
    right.button("Pause", width="stretch", on_click=actions["pause"], disabled=status != "playing")
    left.button("Step", width="stretch", on_click=actions["step"],
                disabled=status in ("playing", "finished", "error"))
    right.button("Reset", width="stretch", on_click=actions["reset"])
    if shown("speed"):
        st.select_slider("Speed (epochs per second)", SPEEDS, key="speed", on_change=actions["speed"])
    return st.empty()


def regions_switch(slot, two_dimensional: bool) -> None:
    """Show or hide the student's decision regions (2-D data only: they lie in the input)."""
    if shown("heatmap"):
        slot.toggle("Show the student's decision regions", key="heatmap", disabled=not two_dimensional,
                    help="Drawn under the points for 2-D data." if two_dimensional else
                    "Only for 2-D data: a grid over a projection would not be where the student decides.")


def sidebar(status: str, actions: dict):
    """Draw the whole sidebar; returns the slot for :func:`regions_switch`."""
    _forget_edited_preset()
    with st.sidebar:
        st.selectbox("Preset", list(PRESETS), key="preset", on_change=_apply_preset,
                     help="One click sets a known configuration.")
        fixed_caption()
        slot = sidebar_run(status, actions)
        sidebar_data()
        sidebar_model()
    return slot
