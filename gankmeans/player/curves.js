// The loss and agreement curves: one figure, two panels, extended as epochs are shown.

import { axisStyle, PALETTE } from "./theme.js";

function finite(values) { return values.filter(v => v !== null && Number.isFinite(v)); }

// A y range showing every finite loss with a margin, never below 0 (the losses are cross-entropies).
export function lossRange(values) {
  const shown = finite(values);
  if (!shown.length) return [0, 1];
  const low = Math.min(...shown), high = Math.max(...shown);
  const margin = 0.1 * Math.max(high - low, 0.1 * Math.abs(high), 1e-3);
  return [Math.max(0, low - margin), high + margin];
}

function marker(epoch, text, theme, xref) {
  return {
    shape: {type: "line", xref, yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
            line: {color: theme.text, width: 1, dash: "dot"}},
    note: {xref, yref: "paper", x: epoch, y: 1, text, showarrow: false, yanchor: "bottom",
           font: {size: 11, color: theme.text}},
  };
}

export class CurvesPanel {
  constructor(parent, theme, revision) {
    this.box = parent.appendChild(document.createElement("div"));
    this.box.className = "gk-curves";
    this.plot = this.box.appendChild(document.createElement("div"));
    this.plot.className = "gk-plot gk-curves-plot";
    this.theme = theme;
    this.revision = revision;
    this.drawn = false;
  }

  setTheme(theme) { this.theme = theme; }

  // rows: {epoch: [...], d_loss: [...], ...}; upto: the last epoch to show; marks: {handover, end, endText}
  draw(rows, upto, maxEpochs, marks = {}) {
    const count = rows.epoch.findLastIndex(e => e <= upto) + 1;
    const epochs = rows.epoch.slice(0, count);
    const series = [["D loss", "d_loss", "x", "y", {color: PALETTE[4]}],
                    ["G loss", "g_loss", "x", "y", {color: PALETTE[5], dash: "dash"}],
                    ["agreement", "agreement", "x2", "y2", {color: PALETTE[2]}]];
    const mode = count > 1 ? "lines" : "markers";  // one epoch (after a Step) is no line at all
    const traces = series.map(([name, key, xaxis, yaxis, line]) => ({
      type: "scatter", mode, name, x: epochs, y: rows[key].slice(0, count), xaxis, yaxis, line,
      marker: {color: line.color}}));
    // The axis spans the epochs run, with headroom, not max_epochs: a run that stops at 21 of 60
    // would leave two thirds of the chart empty.
    const last = epochs.length ? epochs[epochs.length - 1] : 1;
    const span = [0.5, Math.min(maxEpochs, Math.max(5, Math.ceil(last * 1.15))) + 0.5];
    const shown = [];
    if (marks.handover && marks.handover <= upto) shown.push(["handover", marks.handover]);
    if (marks.end && marks.end <= upto) shown.push([marks.endText || "end", marks.end]);
    const made = shown.flatMap(([text, epoch]) => ["x", "x2"].map(x => marker(epoch, x === "x" ? text : "", this.theme, x)));
    const losses = [...rows.d_loss.slice(0, count), ...rows.g_loss.slice(0, count)];
    const axis = {...axisStyle(this.theme, "epoch"), range: span};
    const layout = {
      uirevision: this.revision, showlegend: true, autosize: true, height: 200,
      margin: {l: 48, r: 48, t: 28, b: 38}, paper_bgcolor: this.theme.background,
      plot_bgcolor: this.theme.background, font: {color: this.theme.text, size: 12},
      legend: {orientation: "h", x: 0, y: 1.02, yanchor: "bottom"},
      xaxis: {...axis, domain: [0, 0.46]},
      yaxis: {...axisStyle(this.theme, "loss"), range: lossRange(losses)},
      // The right panel's y axis on its outer side: in the gap it was drawn over the loss panel.
      xaxis2: {...axis, domain: [0.54, 1], anchor: "y2"},
      yaxis2: {...axisStyle(this.theme, "agreement"), range: [-0.02, 1.02], anchor: "x2", side: "right"},
      shapes: made.map(m => m.shape), annotations: made.map(m => m.note).filter(n => n.text),
    };
    const draw = this.drawn ? Plotly.react : Plotly.newPlot;
    this.drawn = true;
    return draw(this.plot, traces, layout, {displaylogo: false, responsive: true, displayModeBar: false});
  }
}
