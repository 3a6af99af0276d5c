// Decodes the player's wire format: base64 bytes, float32 coordinates, packed bits, deflated grids.

export function bytes(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function floats(text) {
  const raw = bytes(text);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

// numpy.packbits order: the first value is the most significant bit of the first byte.
export function bits(text, count) {
  const raw = bytes(text);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (raw[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

// zlib-wrapped deflate, as Python's zlib.compress writes it.
export async function inflate(text) {
  const stream = new Blob([bytes(text)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Interleaved (x, y) float32 pairs as two plain arrays, which every Plotly trace accepts.
export function columns(pairs, width = 2) {
  const n = pairs.length / width;
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) { xs[i] = pairs[i * width]; ys[i] = width > 1 ? pairs[i * width + 1] : 0; }
  return [xs, ys];
}
