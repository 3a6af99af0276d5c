// Colours, marker shapes and the page's theme (Streamlit's light or dark), shared by every panel.

// Okabe & Ito (2008): told apart under every common colour-vision deficiency (as gankmeans.plotting).
export const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"];
// Shape carries cluster identity too, for print and for anyone who cannot rely on colour.
export const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down", "star"];

export function clusterColor(label, theme) {
  const color = PALETTE[label % PALETTE.length];
  return color === "#000000" && theme.dark ? "#BBBBBB" : color;  // black vanishes on a dark page
}

// Clusters k and k + 8 share a colour, so their shapes differ: shift once per lap of the palette.
export function clusterSymbol(label, open = false) {
  const symbol = SYMBOLS[(label + Math.floor(label / PALETTE.length)) % SYMBOLS.length];
  return open ? symbol + "-open" : symbol;
}

function luminance(color) {
  const match = /#([0-9a-f]{6})/i.exec(color) || /rgba?\((\d+),\s*(\d+),\s*(\d+)/i.exec(color);
  if (!match) return 1;
  const [r, g, b] = match.length === 2
    ? [0, 2, 4].map(i => parseInt(match[1].slice(i, i + 2), 16)) : match.slice(1, 4).map(Number);
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}

// Streamlit sets --st-* custom properties on our element's wrapper; the offline page follows the
// browser's preference instead.
export function readTheme(element) {
  const css = getComputedStyle(element);
  const prefersDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const background = css.getPropertyValue("--st-background-color").trim() || (prefersDark ? "#0E1117" : "#FFFFFF");
  const text = css.getPropertyValue("--st-text-color").trim() || (prefersDark ? "#FAFAFA" : "#1F2933");
  const dark = luminance(background) < 0.5;
  return {
    background, text, dark,
    panel: css.getPropertyValue("--st-secondary-background-color").trim() || (dark ? "#262730" : "#F2F4F7"),
    grid: dark ? "#3A3F4B" : "#E5E8EC",
    line: dark ? "#596070" : "#C9CED6",
    outline: dark ? "#EEEEEE" : "#222222",
    halo: dark ? "#0E1117" : "#FFFFFF",
    key: `${background}|${text}`,
  };
}

export function axisStyle(theme, title) {
  return {title: {text: title}, gridcolor: theme.grid, zerolinecolor: theme.line, linecolor: theme.line,
          color: theme.text};
}
