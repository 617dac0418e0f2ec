#!/usr/bin/env node
// `httpwire [METHOD] URL`: one request with HTTPConnection / HTTPSConnection,
// curl's habits (src/cli/args.ts lists the options). The body goes to
// stdout or -o FILE; everything else (-v, --timings, the progress bar,
// errors) to stderr. On failure: exit 1 and `httpwire: <Python exception
// name>: <its text>`, the exception Python's http.client raises there.
import { lookup } from 'node:dns/promises';
import { open, type FileHandle } from 'node:fs/promises';
import { isIP } from 'node:net';
import { format } from 'node:util';
import {
  _create_unverified_context,
  create_default_context,
  HTTPConnection,
  HTTPSConnection,
  type HTTPResponse,
  type SSLContext,
} from '../index.js';
import { nodeTransportFactory, toTransportError } from '../transport/node.js';
import { timeoutMs, type ConnectOptions, type Transport, type TransportFactory } from '../transport/types.js';
import { parseCommandLine, USAGE, UsageError, type CliOptions } from './args.js';
import { PROGRESS_THRESHOLD, ProgressBar } from './progress.js';

/** Milliseconds since the start, at the end of each phase (curl's -w times are cumulative too). */
interface Timings {
  start: number;
  dns?: number;
  connect?: number;
  tls?: number;
  firstByte?: number;
  total?: number;
}

/** Races `promise` against the connection's timeout (dns.lookup cannot be cancelled). */
function bounded<T>(promise: Promise<T>, seconds: number | null | undefined, what: string): Promise<T> {
  const ms = timeoutMs(seconds);
  if (ms === null) return promise;
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(toTransportError(Object.assign(new Error(`timed out (${what})`), { code: 'ETIMEDOUT' }))), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Node's transport, with the phases apart so that each can be timed: the
 * name lookup, then TCP to each address in turn (as Python's
 * create_connection does), then TLS over it (also inside a CONNECT tunnel).
 */
function timedFactory(t: Timings): TransportFactory {
  return async (options: ConnectOptions): Promise<Transport> => {
    let addresses: string[];
    if (isIP(options.host)) {
      addresses = [options.host]; // no lookup: --timings shows DNS as '-'
    } else {
      try {
        addresses = (await bounded(lookup(options.host, { all: true }), options.timeout, 'name lookup')).map((a) => a.address);
      } catch (e) {
        throw toTransportError(e);
      }
      t.dns = performance.now() - t.start;
    }
    let plain: Transport | null = null;
    let lastError: unknown;
    for (const address of addresses) {
      try {
        plain = await nodeTransportFactory({ ...options, host: address, tls: null });
        break;
      } catch (e) {
        lastError = e;
      }
    }
    if (!plain) throw lastError;
    t.connect = performance.now() - t.start;
    if (options.tls) {
      const secure = await plain.startTls!(options.tls);
      t.tls = performance.now() - t.start;
      return secure;
    }
    // Through a proxy's tunnel, HTTPSConnection starts TLS on this transport later.
    const tunnelled = plain;
    const startTls = tunnelled.startTls?.bind(tunnelled);
    if (startTls) {
      tunnelled.startTls = async (tls) => {
        const secure = await startTls(tls);
        t.tls = performance.now() - t.start;
        return secure;
      };
    }
    return tunnelled;
  };
}

/** Where the body goes, with backpressure. */
interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

function stdoutSink(): Sink {
  return {
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(bytes, (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => {},
  };
}

async function fileSink(path: string): Promise<Sink> {
  let file: FileHandle;
  try {
    file = await open(path, 'w');
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as Error).message}`);
  }
  return {
    write: async (bytes) => {
      await file.write(bytes);
    },
    close: () => file.close(),
  };
}

function sslContext(o: CliOptions): SSLContext {
  if (o.insecure) return _create_unverified_context();
  return o.cacert ? create_default_context({ cafile: o.cacert }) : create_default_context();
}

/** The status line and headers as curl's -i prints them. */
function headText(res: HTTPResponse): string {
  const version = res.version === 10 ? 'HTTP/1.0' : res.version === 9 ? 'HTTP/0.9' : 'HTTP/1.1';
  const lines = [`${version} ${res.status} ${res.reason}`.trimEnd()];
  for (const [name, value] of res.getheaders()) lines.push(`${name}: ${value}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/** curl's -w: %{name} variables (seconds with six decimals, as curl prints them) and \n, \r, \t. */
export function writeOut(format: string, t: Timings, status: number, size: number): string {
  const s = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(6);
  const vars: Record<string, string> = {
    time_namelookup: s(t.dns),
    time_connect: s(t.connect),
    time_appconnect: s(t.tls),
    time_starttransfer: s(t.firstByte),
    time_total: s(t.total),
    http_code: String(status),
    response_code: String(status),
    size_download: String(size),
  };
  return format
    .replace(/%\{([a-z_]+)\}/g, (all, name: string) => vars[name] ?? all)
    .replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c]!);
}

/** --timings: one line per phase, its own duration and the time since the start. */
export function timingsTable(t: Timings): string {
  const rows: [string, number | undefined][] = [
    ['DNS', t.dns],
    ['connect', t.connect],
    ['TLS', t.tls],
    ['first byte', t.firstByte],
    ['total', t.total],
  ];
  let previous = 0;
  const out: string[] = [];
  for (const [name, at] of rows) {
    if (at === undefined) {
      out.push(`${name.padEnd(11)}        -`);
      continue;
    }
    const phase = name === 'total' ? at : at - previous;
    out.push(`${name.padEnd(11)}${phase.toFixed(1).padStart(9)} ms${name === 'total' ? '' : `   (at ${at.toFixed(1)} ms)`}`);
    if (name !== 'total') previous = at;
  }
  return out.join('\n') + '\n';
}

/** Runs one request; returns the exit code. */
async function run(o: CliOptions): Promise<number> {
  const t: Timings = { start: performance.now() };
  const transportFactory = timedFactory(t);
  const https = o.url.protocol === 'https:';
  const port = o.url.port ? Number(o.url.port) : https ? 443 : 80;
  const host = o.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const common = { timeout: o.timeout, strict: o.strict, transportFactory };
  let conn: HTTPConnection;
  let target = `${o.url.pathname}${o.url.search}`;
  if (o.proxy) {
    const proxyHost = o.proxy.hostname.replace(/^\[(.*)\]$/, '$1');
    const proxyPort = o.proxy.port ? Number(o.proxy.port) : 80;
    if (https) {
      // TLS to the server inside the proxy's CONNECT tunnel (CPython's set_tunnel).
      conn = new HTTPSConnection(proxyHost, proxyPort, { ...common, context: sslContext(o) });
      conn.set_tunnel(host, port);
    } else {
      // A plain-HTTP proxy takes the absolute URL; Host comes from it.
      conn = new HTTPConnection(proxyHost, proxyPort, common);
      target = o.url.href.replace(/#.*$/, '');
    }
  } else {
    conn = https ? new HTTPSConnection(host, port, { ...common, context: sslContext(o) }) : new HTTPConnection(host, port, common);
  }
  if (o.verbose) conn.set_debuglevel(1);

  const sink = o.output ? await fileSink(o.output) : stdoutSink();
  let size = 0;
  let status = 0;
  try {
    const headers: Record<string, string> = {};
    // curl sends these unless told otherwise; -H replaces them.
    headers['User-Agent'] = 'httpwire';
    headers['Accept'] = '*/*';
    for (const [name, value] of o.headers) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
      headers[name] = value;
    }
    await conn.request(o.method, target || '/', o.body, headers);
    const res = await conn.getresponse();
    t.firstByte = performance.now() - t.start;
    status = res.status as number;
    if (o.include) await sink.write(new TextEncoder().encode(headText(res)));

    const stderr = process.stderr;
    const toTerminal = !o.output && process.stdout.isTTY;
    const total = res.length;
    let bar: ProgressBar | null = null;
    if (!o.silent && !o.head && stderr.isTTY && !toTerminal && (total === null || total >= PROGRESS_THRESHOLD)) {
      bar = new ProgressBar(stderr, total);
    }
    try {
      if (!o.head) {
        for (let chunk; (chunk = await res.read1(65536)).length > 0; ) {
          size += chunk.length;
          bar?.add(chunk.length);
          await sink.write(chunk);
        }
      }
    } finally {
      bar?.finish();
    }
    t.total = performance.now() - t.start;
  } finally {
    conn.close();
    await sink.close();
  }
  if (o.writeOut !== null) process.stdout.write(writeOut(o.writeOut, t, status, size));
  if (o.timings) process.stderr.write(timingsTable(t));
  return o.fail && status >= 400 ? 22 : 0;
}

/** `Name: text` of a thrown value, Python's way for Python exceptions. */
function describe(e: unknown): string {
  if (e instanceof Error) {
    const text = e.message;
    return text ? `${e.name}: ${text}` : e.name;
  }
  return String(e);
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions | null;
  try {
    options = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`httpwire: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  // Python's debug lines (set_debuglevel) are printed with console.log: to
  // stderr here, so that stdout carries the body alone, as with curl -v.
  console.log = (...args: unknown[]) => process.stderr.write(format(...args) + '\n');
  try {
    return await run(options);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`httpwire: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`httpwire: ${describe(e)}\n`);
    return 1;
  }
}

// A reader that goes away (`| head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// No top-level await in what the package ships.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
