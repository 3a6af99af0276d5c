// The replay's controls: Play/Pause and an epoch slider over the frames kept of a finished run.

export class Timeline {
  // onSeek(index) shows a kept frame; the timeline plays them itself, `fps` a second.
  constructor(parent, onSeek, fps = 8) {
    this.box = parent.appendChild(document.createElement("div"));
    this.box.className = "gk-timeline";
    this.button = this.box.appendChild(document.createElement("button"));
    this.button.type = "button";
    this.button.className = "gk-play";
    this.slider = this.box.appendChild(document.createElement("input"));
    this.slider.type = "range";
    this.slider.min = 0;
    this.slider.setAttribute("aria-label", "Replay epoch");
    this.label = this.box.appendChild(document.createElement("span"));
    this.label.className = "gk-timeline-label";
    this.onSeek = onSeek;
    this.fps = fps;
    this.epochs = [];
    this.timer = null;
    this.button.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    this.slider.addEventListener("input", () => { this.pause(); this.seek(Number(this.slider.value)); });
    this.hide();
  }

  // Offer the kept epochs, on the last one (a finished run opens where it ended).
  load(epochs) {
    this.pause();
    this.epochs = epochs;
    this.slider.max = epochs.length - 1;
    this.box.hidden = epochs.length < 2;
    this.seek(epochs.length - 1);
  }

  hide() { this.pause(); this.box.hidden = true; this.epochs = []; }

  seek(index) {
    this.index = index;
    this.slider.value = index;
    this.label.textContent = `epoch ${this.epochs[index]} (${index + 1} of ${this.epochs.length} kept)`;
    this.onSeek(index);
  }

  play() {
    if (this.index >= this.epochs.length - 1) this.seek(0);  // from the start once at the end
    this.button.textContent = "❚❚ Pause";
    this.timer = setInterval(() => {
      if (this.index >= this.epochs.length - 1) return this.pause();
      this.seek(this.index + 1);
    }, 1000 / this.fps);
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.button.textContent = "▶ Play";
  }
}
