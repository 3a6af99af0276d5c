// One scatter panel (the run, the student's space or plain K-Means): made once, updated in place.

import { axisStyle, clusterColor, clusterSymbol, PALETTE } from "./theme.js";

export const TRAIL_LENGTH = 15;
const CENTROID_SIZE = 18;

// WebGL draws a thousand points in ~20 ms where SVG markers took ~80 (software-rendered Chromium);
// fall back to SVG where a page cannot have WebGL.
const WEBGL = (() => {
  try { return !!document.createElement("canvas").getContext("webgl"); } catch { return false; }
})();
const SCATTER = WEBGL ? "scattergl" : "scatter";

export class ScatterPanel {
  // options: {axes: [x, y], bounds: [[x0, x1], [y0, y1]] or null, aspect, trail (bool), k (clusters)}
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
    const traces = [...this.points(labels, student), this.trailTrace(), ...this.centroidTraces(centroids)];
    const images = this.regions(grid);
    const config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"]};
    if (!this.drawn) {
      this.drawn = true;
      return Plotly.newPlot(this.plot, traces, {...this.layout(), images}, config);
    }
    // The plot's own layout object, as the user's zoom and pan left it: a fresh layout would
    // bring the first ranges back.
    const layout = {...(this.nextLayout || this.plot.layout), images};  // a new object: react compares
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

  // The decision regions as a picture under the points: one pixel a grid cell, drawn on a canvas
  // only when the grid changes. A heatmap trace cost each update its calculation again.
  regions(grid) {
    if (!grid) return [];
    if (this.regionImage && this.regionImage.grid === grid && this.regionImage.theme === this.theme) {
      return [this.regionImage.image];
    }
    const canvas = Object.assign(document.createElement("canvas"), {width: grid.size, height: grid.size});
    const context = canvas.getContext("2d"), pixels = context.createImageData(grid.size, grid.size);
    const alpha = Math.round(255 * (this.theme.dark ? 0.3 : 0.22));
    const rgb = PALETTE.map((_, i) => clusterColor(i, this.theme).match(/[0-9a-f]{2}/gi).map(h => parseInt(h, 16)));
    for (let row = 0; row < grid.size; row++) {
      for (let column = 0; column < grid.size; column++) {
        // Grid row 0 is the lowest y; a picture's row 0 is its top.
        const at = 4 * ((grid.size - 1 - row) * grid.size + column);
        pixels.data.set([...rgb[grid.z[row * grid.size + column] % PALETTE.length], alpha], at);
      }
    }
    context.putImageData(pixels, 0, 0);
    // Each pixel is centred on its grid point, as the points it was predicted for.
    const image = {source: canvas.toDataURL(), xref: "x", yref: "y", layer: "below", sizing: "stretch",
                   x: grid.x0 - grid.dx / 2, y: grid.y0 + (grid.size - 0.5) * grid.dy,
                   sizex: grid.size * grid.dx, sizey: grid.size * grid.dy, xanchor: "left", yanchor: "top"};
    this.regionImage = {grid, theme: this.theme, image};
    return [image];
  }

  // One trace per (decider, cluster), so that colour, shape and size stay scalars: per-point
  // arrays made every WebGL update 2-3x slower (22 against 45-80 ms at 2,000 points, measured).
  points(labels, student) {
    if (!labels) {  // before the first epoch: the data alone
      return [{type: SCATTER, mode: "markers", x: this.xs, y: this.ys, hoverinfo: "skip", name: "points",
               marker: {color: this.theme.line, size: 6, line: {width: 0.5, color: this.theme.outline}}}];
    }
    const k = this.options.k, counts = new Uint32Array(2 * k);
    const bucket = i => (student && student[i] ? k : 0) + labels[i];
    for (let i = 0; i < labels.length; i++) counts[bucket(i)]++;
    const xs = Array.from(counts, n => new Float32Array(n)), ys = Array.from(counts, n => new Float32Array(n));
    const filled = new Uint32Array(2 * k);
    for (let i = 0; i < labels.length; i++) {
      const b = bucket(i), at = filled[b]++;
      xs[b][at] = this.xs[i];
      ys[b][at] = this.ys[i];
    }
    return xs.map((x, b) => {
      const cluster = b % k, hollow = b >= k, color = clusterColor(cluster, this.theme);
      return {type: SCATTER, mode: "markers", x, y: ys[b], hoverinfo: "skip",
              name: hollow ? "decided by the student" : "decided by the teacher",
              marker: {color, symbol: clusterSymbol(cluster, hollow), size: hollow ? 8 : 6, opacity: 0.9,
                       line: hollow ? {width: 1.5, color} : {width: 0.5, color: this.theme.outline}}};
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
    const xaxis = {...axisStyle(this.theme, xTitle), range: xRange};
    const yaxis = {...axisStyle(this.theme, yTitle), range: yRange};
    if (this.options.aspect) {  // one unit as long on both axes: the plot area shrinks to fit, not the data
      Object.assign(yaxis, {scaleanchor: "x", scaleratio: 1, constrain: "domain", constraintoward: "top"});
      xaxis.constrain = "domain";
    }
    return {
      uirevision: this.revision,  // a zoom or pan outlives every update of the same scene
      showlegend: false, margin: {l: 52, r: 12, t: 8, b: 44}, autosize: true,
      paper_bgcolor: this.theme.background, plot_bgcolor: this.theme.background,
      font: {color: this.theme.text, size: 12},
      xaxis, yaxis,
    };
  }
}
