// The metrics row and the progress bar: the numbers of the epoch on screen, updated in place.

const CELLS = [
  ["epoch", "Epoch"], ["inertia", "Inertia"], ["ari", "ARI"], ["nmi", "NMI"], ["agreement", "Agreement"],
  ["student_share", "Student's share"], ["phase", "Phase"],
];
const NO_LABELS = "n/a: needs true labels, and this data set has none";

function number(value, digits) {
  return value === null || value === undefined || Number.isNaN(value) ? "—" : value.toFixed(digits);
}

function thousands(value) {
  return value === null || value === undefined ? "—"
    : value.toLocaleString("en-US", {maximumFractionDigits: 1, minimumFractionDigits: 1});
}

export class MetricsRow {
  constructor(parent) {
    this.row = parent.appendChild(document.createElement("div"));
    this.row.className = "gk-metrics";
    this.values = {};
    for (const [key, label] of CELLS) {
      const cell = this.row.appendChild(document.createElement("div"));
      cell.className = "gk-metric";
      cell.dataset.metric = key;
      cell.appendChild(document.createElement("div")).className = "gk-metric-label";
      cell.firstChild.textContent = label;
      this.values[key] = cell.appendChild(document.createElement("div"));
      this.values[key].className = "gk-metric-value";
    }
    const bar = parent.appendChild(document.createElement("div"));
    bar.className = "gk-progress";
    this.fill = bar.appendChild(document.createElement("div"));
    this.fill.className = "gk-progress-fill";
    this.text = bar.appendChild(document.createElement("div"));
    this.text.className = "gk-progress-text";
    this.note = parent.appendChild(document.createElement("div"));
    this.note.className = "gk-note";
  }

  // row: one epoch's metrics (or null before the first); hasLabels: whether ARI and NMI exist.
  show(row, maxEpochs, hasLabels) {
    const set = (key, text, title = "") => {
      if (this.values[key].textContent !== text) this.values[key].textContent = text;
      this.values[key].title = title;
    };
    set("epoch", `${row ? row.epoch : 0} / ${maxEpochs}`);
    set("inertia", thousands(row && row.inertia));
    for (const key of ["ari", "nmi"]) {
      if (hasLabels) set(key, number(row && row[key], 3));
      else set(key, "n/a", NO_LABELS);
    }
    set("agreement", number(row && row.agreement, 3), "Share of the teacher's points where the student agrees");
    set("student_share", row ? `${(100 * row.student_share).toFixed(1)}%` : "—",
        "Share of the points the student decided (hollow markers)");
    set("phase", row ? row.phase : "—");
  }

  progress(fraction, text) {
    this.fill.style.width = `${Math.round(100 * Math.min(1, Math.max(0, fraction)))}%`;
    if (this.text.textContent !== text) this.text.textContent = text;
  }

  // A short line under the bar (the display skipping epochs, a run's error); "" hides it.
  say(text, kind = "info") {
    this.note.textContent = text;
    this.note.dataset.kind = kind;
    this.note.hidden = !text;
  }
}
