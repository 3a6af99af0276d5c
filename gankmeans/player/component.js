// The player as a Streamlit element (Components v2): one Player per element, fed each packet.

import { Player } from "./player.js";
import { readTheme } from "./theme.js";

export default function mount({data, parentElement, setStateValue}) {
  let player = parentElement.gkPlayer;
  if (!player) {
    const root = parentElement.querySelector(".gk-player") || parentElement;
    player = parentElement.gkPlayer = new Player(root);
  }
  // A remounted or out-of-step player asks for everything again (the state's newest setter).
  player.requestSync = state => setStateValue("sync", state);
  player.requestNext = state => setStateValue("next", state);  // the next tick (ui.view.live_panel)
  player.setTheme(readTheme(parentElement));
  if (data) player.receive(data);
}
