// The player: keeps a run's state in the browser and draws it, an epoch per animation frame, live
// or as a replay. Packets carry the scene once, then only what changed (see gankmeans/player).

import { bits, bytes, columns, floats, inflate } from "./codec.js";
import { CurvesPanel } from "./curves.js";
import { MetricsRow } from "./metrics.js";
import { ScatterPanel } from "./scatter.js";
import { readTheme } from "./theme.js";
import { Timeline } from "./timeline.js";

// The eye needs about this many distinct frames a second; drawing more only takes the core that
// training and the page share (measured with benchmarks/bench_app.py).
export const MAX_FPS = 15;
const BEHIND_MS = 500;  // skip ahead once the next epoch to draw arrived this long ago
const CURVES_MS = 500;  // the curves follow the scatter at most this often while playing (~30 ms a draw)
const SYNC_RETRY_MS = 1000;
// Asked for the next packet and none came this long after: ask again (the newest data of an
// element replaces any not yet drawn, so a packet can be lost on the way, and with it the chain).
const NEXT_RETRY_MS = 10000;
const EMPTY_ROWS = () => ({epoch: [], d_loss: [], g_loss: [], agreement: [], inertia: [], student_share: [],
                           ari: [], nmi: [], phase: []});

export class Player {
  // root: an empty element to fill; requestSync(state): asks the server to resend everything.
  constructor(root, requestSync = () => {}) {
    this.root = root;
    this.requestSync = requestSync;
    this.pending = Promise.resolve();
    this.theme = readTheme(root);
    this.sceneKey = null;
    this.run = null;
    this.rows = EMPTY_ROWS();
    this.queue = [];
    this.current = null;
    this.status = {state: "idle", max_epochs: 1};
    this.showRegions = true;
    this.lastSync = -Infinity;
    this.syncWanted = false;
    this.syncTimer = null;
    this.requestNext = () => {};
    this.nextTimer = null;
    this.askedAt = -Infinity;
    this.drawnAt = 0;
    this.curvesAt = 0;
    this.skipped = 0;
    this.ticking = false;
  }

  // Packets are applied one after another, in the order they came.
  receive(packet) {
    this.pending = this.pending.then(() => this.apply(packet)).catch(error => {
      console.error("gankmeans player:", error);
      this.askSync();
    });
    return this.pending;
  }

  setTheme(theme) {
    if (theme.key === this.theme.key) return;
    this.theme = theme;
    for (const panel of this.panels()) panel.setTheme(theme);
    this.redraw();
  }

  // Asked again a moment ago: ask once more when the time is up, unless the resend came meanwhile
  // (a dropped request left a page stuck mid-run for good in the load test).
  askSync() {
    this.syncWanted = true;
    const wait = this.lastSync + SYNC_RETRY_MS - performance.now();
    if (wait > 0) {
      this.syncTimer ||= setTimeout(() => { this.syncTimer = null; if (this.syncWanted) this.askSync(); }, wait);
      return;
    }
    this.lastSync = performance.now();
    this.requestSync({scene: this.sceneKey, run: this.run, have: this.rows.epoch.length, at: Date.now()});
  }

  // The server's ticks come when the page asks: `seconds` after the last ask, and only once the last
  // packet is taken, so a page that falls behind asks less often instead of piling packets up.
  askNext(seconds) {
    clearTimeout(this.nextTimer);
    const wait = Math.max(0, this.askedAt + seconds * 1000 - performance.now());
    this.nextTimer = setTimeout(() => {
      this.askedAt = performance.now();
      this.requestNext({at: Date.now()});
      this.nextTimer = setTimeout(() => this.askNext(seconds), Math.max(NEXT_RETRY_MS, 2000 * seconds));
    }, wait);
  }

  async apply(packet) {
    clearTimeout(this.nextTimer);
    await this.take(packet);
    if (packet.next && !this.syncWanted) this.askNext(packet.next);  // else the resend brings `next`
  }

  async take(packet) {
    let changed = false;
    if (packet.scene) changed = this.makeScene(packet.scene);
    if (!this.sceneKey || (packet.scene_key && packet.scene_key !== this.sceneKey)) return this.askSync();
    if ("regions" in packet && packet.regions !== this.showRegions) {
      this.showRegions = packet.regions;
      changed = true;
    }
    if (packet.kmeans_map) changed = this.recolourKmeans(packet.kmeans_map) || changed;
    if (packet.run !== this.run || packet.sync) {
      if (!packet.sync && packet.base !== 0) return this.askSync();  // a packet of a run we lost
      this.startRun(packet.run);
      if (packet.sync) this.syncWanted = false;
      changed = true;
    }
    if (packet.rows && !this.appendRows(packet)) return this.askSync();
    if (packet.start) this.setStart(packet.start);
    for (const delta of packet.frames || []) this.queue.push(await this.decode(delta));
    this.animate();
    if (packet.status && JSON.stringify(packet.status) !== JSON.stringify(this.status)) {
      this.status = packet.status;
      changed = true;
    }
    if (packet.replay && packet.replay.length) await this.loadReplay(packet.replay);
    else if (changed && !this.queue.length) this.redraw();  // settings or status changed: nothing to animate
    if (this.status.state === "finished" && !this.replay) this.askSync();  // its replay went missing
  }

  makeScene(scene) {
    if (scene.key === this.sceneKey) return false;
    this.root.replaceChildren();
    this.scene = scene;
    this.sceneKey = scene.key;
    [this.xs, this.ys] = columns(floats(scene.points));
    this.metrics = new MetricsRow(this.root);
    const panels = this.root.appendChild(document.createElement("div"));
    panels.className = "gk-panels";
    const bounds = scene.bounds, options = {axes: scene.axes, bounds, aspect: scene.aspect, k: scene.k};
    this.live = new ScatterPanel(panels, {...options, trail: true}, this.theme, scene.key);
    this.live.setPoints(this.xs, this.ys);
    this.space = scene.mode === "learned"
      ? new ScatterPanel(panels, {axes: ["", ""], bounds: null, aspect: false, k: scene.k}, this.theme, scene.key)
      : null;
    this.kmeans = scene.kmeans ? new ScatterPanel(panels, options, this.theme, scene.key) : null;
    panels.dataset.count = 1 + !!this.space + !!this.kmeans;
    this.legend = this.root.appendChild(document.createElement("div"));
    this.legend.className = "gk-legend";
    this.legend.textContent = "Colour and shape: cluster · filled: the teacher decided · hollow: the student · " +
      "large: centroids (faint: their last moves)" + (scene.grid ? " · background: the student's regions" : "");
    this.timeline = new Timeline(this.root, index => this.showReplay(index));
    this.caption = this.root.appendChild(document.createElement("div"));
    this.caption.className = "gk-caption";
    const sampled = scene.n_shown < scene.n_total
      ? `The charts draw a random ${scene.n_shown.toLocaleString("en-US")} of the ` +
        `${scene.n_total.toLocaleString("en-US")} points; every metric uses all of them.` : "";
    this.caption.textContent = [scene.note, sampled].filter(Boolean).join(" ");
    this.curves = new CurvesPanel(this.root, this.theme, scene.key);
    if (this.kmeans) {
      this.kmeansLabels = bytes(scene.kmeans.labels);
      this.kmeansMap = null;
      this.kmeans.setPoints(this.xs, this.ys);
    }
    this.startRun(null);
    return true;
  }

  panels() { return [this.live, this.space, this.kmeans, this.curves].filter(Boolean); }

  startRun(run) {
    this.run = run;
    this.rows = EMPTY_ROWS();
    this.queue = [];
    this.current = null;
    this.replay = null;
    this.start = null;
    this.grid = this.lastSpace = null;
    this.skipped = 0;
    this.status = {state: "idle", max_epochs: this.status.max_epochs};
    this.live.resetTrail();
    this.timeline.hide();
  }

  // Epoch 0, the centroids the run starts on over the unlabelled points: drawn first when the run
  // is new (not when a resend finds it under way), and first in its replay.
  setStart(start) {
    this.start = {epoch: 0, phase: "teacher", labels: null, student: null, centroids: start.centroids,
                  grid: null, space: null, arrived: performance.now()};
    if (!this.current && this.rows.epoch.length <= 1) this.queue.push(this.start);
  }

  // Rows from packet.base on; a packet repeats the rows of the few before it, so a lost packet
  // leaves no gap, and only the rows after those held are new.
  appendRows(packet) {
    if (packet.sync) this.rows = EMPTY_ROWS();
    const skip = this.rows.epoch.length - packet.base;
    if (skip < 0) return false;  // rows between those held and this packet's never came
    for (const key of Object.keys(this.rows)) this.rows[key].push(...packet.rows[key].slice(skip));
    return true;
  }

  // A delta as drawable arrays; the grid and the student's space carry over from the one before.
  async decode(delta) {
    const n = this.scene.n_shown;
    if (delta.grid) this.grid = {...this.scene.grid, z: await inflate(delta.grid)};
    if (delta.space) {
      this.lastSpace = columns(floats(delta.space));
      this.spaceAxes = delta.space_axes;
    }
    return {epoch: delta.epoch, phase: delta.phase, labels: bytes(delta.labels), student: bits(delta.student, n),
            centroids: delta.centroids, grid: this.grid, space: this.lastSpace,
            spaceCentroids: delta.space_centroids, arrived: performance.now()};
  }

  async loadReplay(deltas) {
    this.grid = this.lastSpace = null;
    this.replay = [];
    for (const delta of deltas) this.replay.push(await this.decode(delta));
    if (this.start && this.replay.length && this.replay[0].epoch > 0) this.replay.unshift(this.start);
    this.queue = [];
    if (this.replay.length) this.timeline.load(this.replay.map(frame => frame.epoch));
  }

  showReplay(index) {
    this.live.resetTrail();
    this.replay.slice(Math.max(0, index - 14), index).forEach(f => this.live.trail.push(f.centroids));
    this.draw(this.replay[index], {trail: false, curves: true});
  }

  // An animation frame loop only while epochs wait to be drawn: a loop that never stops kept an
  // idle page drawing 60 frames a second (a quarter of a core in software-rendered Chromium).
  animate() {
    if (this.ticking || !this.queue.length) return;
    this.ticking = true;
    requestAnimationFrame(now => this.tick(now));
  }

  tick(now) {
    if (!this.queue.length) {
      this.ticking = false;
      return;
    }
    requestAnimationFrame(next => this.tick(next));
    if (now - this.drawnAt < 1000 / MAX_FPS - 2) return;
    let skipped = 0;
    while (this.queue.length > 1 && now - this.queue[0].arrived > BEHIND_MS) { this.queue.shift(); skipped++; }
    this.skipped = skipped ? this.skipped + skipped : Math.max(0, this.skipped - 1);
    this.drawnAt = now;
    const frame = this.queue.shift();
    this.draw(frame, {trail: true, curves: now - this.curvesAt >= CURVES_MS || !this.queue.length});
  }

  draw(frame, {trail, curves}) {
    this.current = frame;
    const grid = this.showRegions ? frame.grid : null;
    this.live.setTitle(frame.epoch ? `GANKMeans: epoch ${frame.epoch}, ${frame.phase} phase`
                                    : "GANKMeans: epoch 0, the starting centroids");
    this.live.draw({labels: frame.labels, student: frame.student, centroids: frame.centroids, grid,
                    extendTrail: trail});
    if (this.space && frame.space) {
      this.space.setTitle(`The student's space: epoch ${frame.epoch}`);
      const axes = this.spaceAxes || ["z1", "z2"];
      if (axes.join() !== this.space.options.axes.join()) {
        this.space.options.axes = axes;
        this.space.relayout();
      }
      this.space.setPoints(...frame.space);
      this.space.draw({labels: frame.labels, student: frame.student, centroids: frame.spaceCentroids});
    }
    this.showNumbers(frame.epoch);
    if (curves) this.drawCurves(frame.epoch);
  }

  row(epoch) {
    const i = this.rows.epoch.lastIndexOf(epoch);
    if (i < 0) return null;
    return Object.fromEntries(Object.keys(this.rows).map(key => [key, this.rows[key][i]]));
  }

  showNumbers(epoch) {
    const {state, max_epochs: maxEpochs} = this.status;
    this.metrics.show(epoch ? this.row(epoch) : null, maxEpochs, this.scene.has_labels);
    const done = this.rows.epoch.length, last = this.row(done);
    let fraction = done / maxEpochs, text;
    if (state === "finished" && last) {
      fraction = 1;
      text = this.status.converged ? `Converged at epoch ${done}` : `Finished: ${done} of ${maxEpochs} epochs`;
    } else if (state === "playing" && this.status.queued) {
      text = `Waiting for a free training slot: number ${this.status.queued} in line (the server is busy)`;
    } else {
      const word = {playing: "Training…", paused: "Paused", error: "Stopped by an error"}[state] || "Ready";
      text = `${word}: ${done} of up to ${maxEpochs} epochs`;
    }
    this.metrics.progress(fraction, text);
    if (this.skipped > 0 && state === "playing") {
      this.metrics.say("Training runs faster than the display: skipping epochs to keep up.");
    } else this.metrics.say("");
  }

  drawCurves(epoch) {
    this.curvesAt = performance.now();
    const handover = this.rows.phase.indexOf("student");
    const finished = this.status.state === "finished" && this.rows.epoch.length;
    this.curves.draw(this.rows, epoch, this.status.max_epochs, {
      handover: handover >= 0 ? this.rows.epoch[handover] : null,
      end: finished ? this.rows.epoch.at(-1) : null,
      endText: this.status.converged ? "converged" : "end"});
  }

  recolourKmeans(mapping) {
    if (!this.kmeans || JSON.stringify(mapping) === JSON.stringify(this.kmeansMap)) return false;
    this.kmeansMap = mapping;
    this.drawKmeans();
    return true;
  }

  drawKmeans() {
    const {centers, ari, note} = this.scene.kmeans;
    const map = this.kmeansMap || centers.map((_, i) => i);
    const labels = this.kmeansLabels.map(label => map[label]);
    const order = Array.from(centers, (_, i) => i).sort((a, b) => map[a] - map[b]);
    this.kmeans.setTitle(`Plain K-Means (K = ${centers.length})` + (ari === null ? "" : `, ARI ${ari.toFixed(3)}`) +
                         (note ? ` ${note}` : ""));
    this.kmeans.draw({labels, centroids: order.map(i => centers[i])});
  }

  // Everything as it should be now, without animating (a new scene, theme or status).
  redraw() {
    if (!this.scene) return;
    if (this.kmeans) this.drawKmeans();
    const frame = this.current;
    if (frame) return this.draw(frame, {trail: false, curves: true});
    this.live.setTitle("GANKMeans: press Train or Step");
    this.live.draw({labels: null, centroids: []});
    if (this.space) this.space.setTitle("The student's space appears with the first epoch");
    this.showNumbers(0);
    this.drawCurves(0);
  }
}
