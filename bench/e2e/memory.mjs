// The memory test of the end-to-end benchmark: a 1 GiB Content-Length
// response (GET /1g on the canned server) read through
// HTTPResponse.readinto() into one reused 64 KiB buffer.
//
//   node bench/e2e/memory.mjs --port N [--dist dist/index.js]   (run.mjs runs it; prints one JSON line)
//
// 1. Peak RSS growth, in this process with Node's default flags: RSS just
//    before the request is the baseline; the kernel's high-water mark
//    (VmHWM, reset through /proc/self/clear_refs at the baseline) and an RSS
//    sample every 256 calls give the peak. Every byte is counted and the
//    pieces' first and last bytes checked.
// 2. Allocation per readinto() call, in a child process (--phase alloc)
//    whose young generation is made large (--min/max-semi-space-size=256)
//    so that a window of calls runs with no GC at all (checked with a
//    PerformanceObserver for 'gc' entries; a window with a GC is
//    retried smaller). Then the growth of V8's used heap over the window,
//    divided by the calls, is the JS heap each call allocated, and the
//    growth of process.memoryUsage().arrayBuffers the ArrayBuffer
//    (off-heap) bytes. Measured twice:
//    - on the wire: everything the process allocates per call, including
//      Node's socket (a fresh Buffer per socket read, as every node:net
//      client gets);
//    - isolated: the same HTTPResponse over a transport that allocates
//      nothing (it returns the same 64 KiB chunk in the same resolved
//      Promise every time), next to the floor of any Promise-returning
//      readinto: an `async` function that copies the chunk and returns.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import { BODY_BYTE, PIECE } from './workloads.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 || i + 1 >= process.argv.length ? fallback : process.argv[i + 1];
}
const PORT = Number(option('port', '0'));
const DIST = resolve(option('dist', new URL('../../dist/index.js', import.meta.url).pathname));
const PHASE = option('phase', 'rss');
const GIB = 1 << 30;
const MIB = 1 << 20;
const { HTTPConnection, HTTPResponse } = await import(pathToFileURL(DIST).href);

function vmHWM() {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function openGiB() {
  const conn = new HTTPConnection('127.0.0.1', PORT);
  await conn.request('GET', '/1g');
  const res = await conn.getresponse();
  if (res.status !== 200 || res.length !== GIB) throw new Error(`unexpected response ${res.status} length ${res.length}`);
  return { conn, res };
}

async function rssPhase() {
  globalThis.gc?.();
  const piece = new Uint8Array(PIECE);
  const baseline = process.memoryUsage.rss();
  let hwmReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  } catch {
    hwmReset = false;
  }
  const t0 = performance.now();
  const { conn, res } = await openGiB();
  let total = 0;
  let calls = 0;
  let sampled = baseline;
  for (let n; (n = await res.readinto(piece)) > 0; ) {
    if (piece[0] !== BODY_BYTE || piece[n - 1] !== BODY_BYTE) throw new Error(`wrong body byte at ${total}`);
    total += n;
    if (++calls % 256 === 0) sampled = Math.max(sampled, process.memoryUsage.rss());
  }
  const seconds = (performance.now() - t0) / 1000;
  conn.close();
  if (total !== GIB) throw new Error(`read ${total} bytes, expected ${GIB}`);
  const peak = Math.max(sampled, hwmReset ? vmHWM() : 0);
  return {
    bytes: total,
    calls,
    seconds,
    mbps: total / seconds / 1e6,
    baselineRssMiB: baseline / MIB,
    peakRssMiB: peak / MIB,
    peakRssGrowthMiB: (peak - baseline) / MIB,
    peakFrom: hwmReset ? 'VmHWM (reset at the baseline) and RSS samples' : 'RSS samples every 256 calls',
  };
}

// ---- allocation per call (child process with a large young generation)

let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
// 'gc' entries arrive a few ticks after the GC: wait long enough for them.
const settle = () => new Promise((r) => setTimeout(r, 20));

/** Heap and ArrayBuffer bytes per call of `call`, over a window of `calls` calls with no GC (retried smaller). */
async function perCall(call, calls) {
  for (let attempt = 0; attempt < 6; attempt++, calls = Math.max(50, calls >> 1)) {
    globalThis.gc();
    await settle();
    const g0 = gcs;
    const h0 = v8.getHeapStatistics().used_heap_size;
    const a0 = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < calls; i++) await call();
    const h1 = v8.getHeapStatistics().used_heap_size;
    const a1 = process.memoryUsage().arrayBuffers;
    await settle();
    if (gcs === g0) return { heapBytesPerCall: (h1 - h0) / calls, arrayBufferBytesPerCall: (a1 - a0) / calls, calls, attempts: attempt + 1 };
  }
  throw new Error('no window without a GC');
}

async function allocPhase() {
  const piece = new Uint8Array(PIECE);
  // On the wire.
  const { conn, res } = await openGiB();
  for (let i = 0; i < 256; i++) await res.readinto(piece); // warm up (JIT, socket buffers)
  const wire = await perCall(() => res.readinto(piece), 2000);
  conn.close();
  // Isolated: a transport that allocates nothing.
  const head = new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Length: ${2 ** 50}\r\n\r\n`);
  const chunk = new Uint8Array(PIECE).fill(BODY_BYTE);
  const headRead = Promise.resolve(head);
  const chunkRead = Promise.resolve(chunk);
  let first = true;
  const transport = {
    closed: false,
    read() {
      if (first) {
        first = false;
        return headRead;
      }
      return chunkRead;
    },
    write: () => Promise.resolve(),
    close() {},
    setTimeout() {},
  };
  const r = new HTTPResponse(transport);
  await r.begin();
  for (let i = 0; i < 1000; i++) await r.readinto(piece);
  const isolated = await perCall(() => r.readinto(piece), 20000);
  // The floor: any async readinto that copies a chunk.
  const floorReadinto = async (b) => {
    b.set(await chunkRead);
    return b.length;
  };
  for (let i = 0; i < 1000; i++) await floorReadinto(piece);
  const floor = await perCall(() => floorReadinto(piece), 20000);
  return { wire, isolated: { ...isolated, asyncFloorBytesPerCall: floor.heapBytesPerCall } };
}

if (PHASE === 'alloc') {
  process.stdout.write(JSON.stringify(await allocPhase()) + '\n');
} else {
  const rss = await rssPhase();
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', new URL(import.meta.url).pathname, '--phase', 'alloc', '--port', String(PORT), '--dist', DIST],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  let line = null;
  createInterface({ input: child.stdout }).once('line', (l) => (line = l));
  const code = await new Promise((r) => child.once('exit', r));
  clearTimeout(timer);
  if (line === null) throw new Error(`the allocation phase failed (exit ${code})`);
  process.stdout.write(JSON.stringify({ ...rss, ...JSON.parse(line) }) + '\n');
}
