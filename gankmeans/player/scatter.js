// One scatter panel (the run, the student's space or plain K-Means): made once, updated in place.

import { axisStyle, clusterColor, clusterSymbol, colorScale, PALETTE } from "./theme.js";

export const TRAIL_LENGTH = 15;
const CENTROID_SIZE = 18;

// WebGL draws a thousand points in ~20 ms where SVG markers took ~80 (software-rendered Chromium);
// fall back to SVG where a page cannot have WebGL.
const WEBGL = (() => {
  try { return !!document.createElement("canvas").getContext("webgl"); } catch { return false; }
})();
const SCATTER = WEBGL ? "scattergl" : "scatter";

function pick(values, rows) {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

export class ScatterPanel {
  // options: {axes: [x, y], bounds: [[x0, x1], [y0, y1]] or null, aspect, regions (bool), trail (bool)}
  constructor(parent, options, theme, revision) {
    this.box = parent.appendChild(document.createElement("div"));
    this.box.className = "gk-panel";
    this.heading = this.box.appendChild(document.createElement("div"));
    this.heading.className = "gk-panel-title";
    this.plot = this.box.appendChild(document.createElement("div"));
    this.plot.className = "gk-plot";
    this.options = options;
    this.revision = revision;
    this.theme = theme;
    this.trail = [];
    this.drawn = false;
  }

  setPoints(xs, ys) { this.xs = xs; this.ys = ys; }

  setTitle(text) { if (this.heading.textContent !== text) this.heading.textContent = text; }

  // labels: Uint8Array; student: Uint8Array of 0/1 or null; centroids: [[x, y], ...];
  // grid: {z: Uint8Array (rows of x), size, x0, dx, y0, dy} or null (hidden).
  draw({labels, student = null, centroids, grid = null, extendTrail = false}) {
    if (extendTrail) this.trail = [...this.trail, centroids].slice(-TRAIL_LENGTH);
    const traces = [this.regions(grid), ...this.points(labels, student), this.trailTrace(),
                    ...this.centroidTraces(centroids)];
    const config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"]};
    if (!this.drawn) {
      this.drawn = true;
      return Plotly.newPlot(this.plot, traces, this.layout(), config);
    }
    // The plot's own layout object, as the user's zoom and pan left it: a fresh layout would
    // bring the first ranges back.
    const layout = this.nextLayout || this.plot.layout;
    this.nextLayout = null;
    return Plotly.react(this.plot, traces, layout, config);
  }

  // New axes (the student's space gets its titles with its first epoch) or colours, same zoom.
  relayout() {
    if (!this.drawn) return;
    const {xaxis, yaxis} = this.plot.layout, layout = this.layout();
    Object.assign(layout.xaxis, {range: xaxis.range, autorange: xaxis.autorange});
    Object.assign(layout.yaxis, {range: yaxis.range, autorange: yaxis.autorange});
    this.nextLayout = layout;
  }

  resetTrail() { this.trail = []; }

  setTheme(theme) {
    this.theme = theme;
    this.relayout();
  }

  // The same grid keeps the same trace object, so Plotly.react leaves the heatmap alone.
  regions(grid) {
    if (this.regionTrace && this.regionTrace.grid === grid && this.regionTrace.theme === this.theme) {
      return this.regionTrace.trace;
    }
    this.regionTrace = {grid, theme: this.theme, trace: this.heatmap(grid)};
    return this.regionTrace.trace;
  }

  heatmap(grid) {
    if (!grid) return {type: "heatmap", z: [[null]], visible: false, hoverinfo: "skip", showscale: false};
    const z = [];
    for (let row = 0; row < grid.size; row++) z.push(Array.from(grid.z.subarray(row * grid.size, (row + 1) * grid.size), v => v % PALETTE.length));
    return {type: "heatmap", z, x0: grid.x0, dx: grid.dx, y0: grid.y0, dy: grid.dy, zmin: -0.5,
            zmax: PALETTE.length - 0.5, colorscale: colorScale(this.theme), showscale: false,
            opacity: this.theme.dark ? 0.3 : 0.22, hoverinfo: "skip", zsmooth: false, name: "student's regions"};
  }

  // Two traces, teacher's and student's points, so that size and outline stay scalars.
  points(labels, student) {
    if (!labels) {  // before the first epoch: the data alone
      return [{type: SCATTER, mode: "markers", x: this.xs, y: this.ys, hoverinfo: "skip", name: "points",
               marker: {color: this.theme.line, size: 6, line: {width: 0.5, color: this.theme.outline}}}];
    }
    const deciders = student ? [0, 1] : [0];
    return deciders.map(decider => {
      const rows = [];
      for (let i = 0; i < labels.length; i++) if (!student || student[i] === decider) rows.push(i);
      const hollow = decider === 1;
      const color = rows.map(i => labels[i] % PALETTE.length);
      return {type: SCATTER, mode: "markers", x: pick(this.xs, rows), y: pick(this.ys, rows),
              hoverinfo: "skip", name: hollow ? "decided by the student" : "decided by the teacher",
              marker: {color, cmin: -0.5, cmax: PALETTE.length - 0.5, colorscale: colorScale(this.theme),
                       symbol: rows.map(i => clusterSymbol(labels[i], hollow)), size: hollow ? 8 : 6,
                       line: hollow ? {width: 1.5} : {width: 0.5, color: this.theme.outline},
                       opacity: 0.9}};
    });
  }

  trailTrace() {
    const x = [], y = [], color = [], opacity = [];
    this.trail.forEach((centroids, age) => centroids.forEach(([cx, cy], k) => {
      x.push(cx); y.push(cy); color.push(clusterColor(k, this.theme));
      opacity.push(0.1 + 0.35 * (age + 1) / this.trail.length);  // older is fainter
    }));
    return {type: SCATTER, mode: "markers", x, y, hoverinfo: "skip", name: "centroid trail",
            visible: this.options.trail ? true : false,
            marker: {color, opacity, size: 8, line: {width: 0.5, color: this.theme.outline}}};
  }

  centroidTraces(centroids) {
    const x = centroids.map(c => c[0]), y = centroids.map(c => c[1]);
    const k = centroids.map((_, i) => i);
    return [
      {type: SCATTER, mode: "markers", x, y, hoverinfo: "skip", name: "centroid halo",
       marker: {color: this.theme.halo, size: CENTROID_SIZE + 10, symbol: k.map(i => clusterSymbol(i))}},
      {type: SCATTER, mode: "markers", x, y, name: "centroids", text: k.map(i => `centroid ${i + 1}`),
       hovertemplate: "%{text}<extra></extra>",
       marker: {color: k.map(i => clusterColor(i, this.theme)), size: CENTROID_SIZE,
                symbol: k.map(i => clusterSymbol(i)), line: {width: 3, color: this.theme.outline}}},
    ];
  }

  layout() {
    const [xTitle, yTitle] = this.options.axes;
    const [xRange, yRange] = this.options.bounds || [undefined, undefined];
    const yaxis = {...axisStyle(this.theme, yTitle), range: yRange};
    if (this.options.aspect) Object.assign(yaxis, {scaleanchor: "x", scaleratio: 1});
    return {
      uirevision: this.revision,  // a zoom or pan outlives every update of the same scene
      showlegend: false, margin: {l: 52, r: 12, t: 8, b: 44}, autosize: true,
      paper_bgcolor: this.theme.background, plot_bgcolor: this.theme.background,
      font: {color: this.theme.text, size: 12},
      xaxis: {...axisStyle(this.theme, xTitle), range: xRange}, yaxis,
    };
  }
}
