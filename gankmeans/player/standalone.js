// The player in an offline replay page: the run's data is embedded in the page itself.

import { Player } from "./player.js";

const payload = JSON.parse(document.getElementById("gk-data").textContent);
new Player(document.getElementById("gk-root")).receive(payload);
