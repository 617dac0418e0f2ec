// Draws the end-to-end results as an SVG chart: for each server (a column)
// and workload (a row), one bar per client, its throughput relative to
// httpwire's in the same rounds (1 / the median per-round ratio; httpwire
// = 1), labelled with the client's median rate.
//
//   node bench/e2e/chart.mjs [results.json] [out.svg]
//     (defaults: bench/e2e/results.json -> bench/e2e/chart.svg)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const input = process.argv[2] ?? join(HERE, 'results.json');
const output = process.argv[3] ?? join(HERE, 'chart.svg');
const res = JSON.parse(readFileSync(input, 'utf8'));

const COLORS = { httpwire: '#1f77b4', alt: '#17becf', undici: '#ff7f0e', 'node-http': '#2ca02c', python: '#9467bd', raw: '#7f7f7f' };
const NAMES = { httpwire: 'httpwire', alt: 'httpwire (alt)', undici: 'undici', 'node-http': 'node:http', python: 'CPython http.client', raw: 'raw socket (floor)' };
const BULK = new Set(['chunked', 'cl16m', 'post1m']);

const servers = Object.keys(res.summary);
const clients = Object.keys(res.clients);
const BAR = 13;
const GAP = 3;
const ROW_PAD = 34;
const LABEL_W = 130;
const PLOT_W = 300;
const COL_W = LABEL_W + PLOT_W + 150;
const TOP = 70;
const rowHeight = clients.length * (BAR + GAP) + ROW_PAD;
const width = 20 + servers.length * COL_W;
const height = TOP + res.workloads.length * rowHeight + 40;
// Relative throughput axis: 0 .. max (at least 2).
let max = 2;
for (const s of servers) for (const w of res.workloads) for (const c of clients) max = Math.max(max, relative(res.summary[s][w.key]?.[c]));
max = Math.ceil(max);

function relative(cell) {
  if (!cell) return 0;
  const r = 1 / cell.speedRatio;
  return Number.isFinite(r) ? r : 0;
}
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const rate = (cell, bulk) =>
  bulk ? `${cell.mbps >= 100 ? Math.round(cell.mbps) : cell.mbps.toFixed(1)} MB/s` : `${Math.round(cell.rps).toLocaleString('en-US')} req/s`;

const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
const m = res.machine;
out.push(`<text x="10" y="18" font-size="14" font-weight="bold">httpwire end to end: throughput relative to httpwire (same rounds, median of per-round ratios; httpwire = 1)</text>`);
out.push(`<text x="10" y="34" fill="#555">${esc(`${m.cpu}, ${m.cores} cores · Node ${m.node} · ${m.python} · ${m.servers.nginx ?? ''} · undici ${m.undici} · ${res.rounds} rounds · ${res.date.slice(0, 16)}Z`)}</text>`);
let lx = 10;
for (const c of clients) {
  out.push(`<rect x="${lx}" y="44" width="10" height="10" fill="${COLORS[c] ?? '#000'}"/><text x="${lx + 14}" y="53">${esc(NAMES[c] ?? c)}</text>`);
  lx += 24 + (NAMES[c] ?? c).length * 6.2;
}
servers.forEach((server, si) => {
  const x0 = 10 + si * COL_W;
  const px = x0 + LABEL_W;
  const scale = PLOT_W / max;
  out.push(`<text x="${px}" y="${TOP - 2}" font-weight="bold" font-size="12">${esc(server === 'canned' ? 'canned node:net server' : server)}</text>`);
  res.workloads.forEach((w, wi) => {
    const y0 = TOP + 8 + wi * rowHeight;
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">${esc(w.title)}</text>`);
    const yb = y0 + 18;
    const span = clients.length * (BAR + GAP);
    for (let t = 0; t <= max; t++) {
      out.push(`<line x1="${px + t * scale}" y1="${yb - 2}" x2="${px + t * scale}" y2="${yb + span}" stroke="${t === 1 ? '#333' : '#ddd'}" stroke-width="${t === 1 ? 1.2 : 1}"/>`);
      out.push(`<text x="${px + t * scale}" y="${yb + span + 10}" text-anchor="middle" fill="#777" font-size="9">${t}x</text>`);
    }
    clients.forEach((c, ci) => {
      const cell = res.summary[server][w.key]?.[c];
      const y = yb + ci * (BAR + GAP);
      out.push(`<text x="${px - 4}" y="${y + BAR - 3}" text-anchor="end">${esc(NAMES[c] ?? c)}</text>`);
      if (!cell) return;
      const r = relative(cell);
      out.push(`<rect x="${px}" y="${y}" width="${Math.max(1, r * scale).toFixed(1)}" height="${BAR}" fill="${COLORS[c] ?? '#000'}"/>`);
      out.push(`<text x="${px + r * scale + 4}" y="${y + BAR - 3}" fill="#333">${r.toFixed(2)}x · ${esc(rate(cell, BULK.has(w.key)))}</text>`);
    });
  });
});
out.push('</svg>');
writeFileSync(output, out.join('\n') + '\n');
console.error(`chart: ${output}`);
