// The command line of `httpwire [METHOD] URL`, with curl's option names
// where curl has one. Parsing only: no I/O but reading `@file` data.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const USAGE = `Usage: httpwire [METHOD] URL [options]

  -X, --request METHOD   the method (also as the first argument); default GET,
                         POST with -d, HEAD with -I
  -H, --header 'N: V'    a request header (repeatable)
  -d, --data DATA        a body: text, or @FILE (@- is stdin; CR and LF removed, as curl does);
                         repeated -d are joined with '&'
      --data-binary DATA a body as given, or @FILE byte for byte
  -i, --include          print the status line and headers before the body
  -I, --head             HEAD: print the status line and headers only
  -o, --output FILE      write the body to FILE, not stdout
  -x, --proxy URL        an HTTP proxy: http:// URLs in absolute form,
                         https:// through a CONNECT tunnel
      --cacert FILE      trust the CAs in FILE (PEM)
  -k, --insecure         no certificate or host name checks
      --timeout SECONDS  bound each connect, read and write wait
      --strict           strict mode: refuse responses that smuggling needs
  -v, --verbose          CPython's debug output (set_debuglevel(1)), to stderr
  -w, --write-out FMT    print FMT after the body; %{time_namelookup},
                         %{time_connect}, %{time_appconnect},
                         %{time_starttransfer}, %{time_total} (seconds),
                         %{http_code}, %{size_download}, \\n
      --timings          per-phase timings (DNS, connect, TLS, first byte,
                         total) to stderr
  -s, --silent           no progress bar
  -f, --fail             exit 22 on a status of 400 or more
  -h, --help             this text
`;

export interface CliOptions {
  method: string;
  url: URL;
  headers: [string, string][];
  body: Uint8Array | null;
  include: boolean;
  head: boolean;
  output: string | null;
  proxy: URL | null;
  cacert: string | null;
  insecure: boolean;
  timeout: number | null;
  strict: boolean;
  verbose: boolean;
  writeOut: string | null;
  timings: boolean;
  silent: boolean;
  fail: boolean;
}

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An http(s) URL; a bare host gets http:// as with curl. */
function parseUrl(text: string, what: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} must be http:// or https://: ${text}`);
  return url;
}

/** The bytes of a data argument: `@file` is read; text is UTF-8. */
function dataBytes(value: string, binary: boolean): Uint8Array {
  if (!value.startsWith('@')) return new TextEncoder().encode(value);
  let bytes: Uint8Array;
  try {
    // '@-' is stdin, as with curl.
    bytes = readFileSync(value === '@-' ? 0 : value.slice(1));
  } catch (e) {
    throw new UsageError(`cannot read ${value.slice(1)}: ${(e as Error).message}`);
  }
  // curl's -d @file drops carriage returns and newlines; --data-binary keeps every byte.
  return binary ? bytes : bytes.filter((b) => b !== 0x0d && b !== 0x0a);
}

/** Parses argv (without node and the script); throws UsageError. Returns null for --help. */
export function parseCommandLine(argv: string[]): CliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        request: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd', multiple: true },
        'data-binary': { type: 'string', multiple: true },
        include: { type: 'boolean', short: 'i' },
        head: { type: 'boolean', short: 'I' },
        output: { type: 'string', short: 'o' },
        proxy: { type: 'string', short: 'x' },
        cacert: { type: 'string' },
        insecure: { type: 'boolean', short: 'k' },
        timeout: { type: 'string' },
        strict: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        'write-out': { type: 'string', short: 'w' },
        timings: { type: 'boolean' },
        silent: { type: 'boolean', short: 's' },
        fail: { type: 'boolean', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const positionals = parsed.positionals;
  if (positionals.length === 0) throw new UsageError('no URL given');
  if (positionals.length > 2) throw new UsageError(`one URL only (got ${positionals.slice(1).join(' ')})`);
  const url = parseUrl(positionals.at(-1)!, 'the URL');
  let method = positionals.length === 2 ? positionals[0]! : (v.request ?? null);
  if (positionals.length === 2 && v.request && v.request !== method) throw new UsageError(`two methods: ${method} and -X ${v.request}`);

  const headers: [string, string][] = [];
  for (const h of v.header ?? []) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`a header is 'Name: value': ${h}`);
    headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
  }

  // Data pieces in command-line order, joined by '&' as curl joins them.
  const pieces: Uint8Array[] = [];
  const dataArgs: { value: string; binary: boolean }[] = [];
  for (const t of parsed.tokens) {
    if (t.kind === 'option' && (t.name === 'data' || t.name === 'data-binary') && t.value !== undefined) {
      dataArgs.push({ value: t.value, binary: t.name === 'data-binary' });
    }
  }
  for (const [i, d] of dataArgs.entries()) {
    if (i > 0) pieces.push(new Uint8Array([0x26])); // '&'
    pieces.push(dataBytes(d.value, d.binary));
  }
  let body: Uint8Array | null = null;
  if (dataArgs.length > 0) {
    body = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      body.set(p, at);
      at += p.length;
    }
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    }
  }
  method ??= v.head ? 'HEAD' : body ? 'POST' : 'GET';

  let timeout: number | null = null;
  if (v.timeout !== undefined) {
    timeout = Number(v.timeout);
    if (!Number.isFinite(timeout) || timeout < 0 || v.timeout.trim() === '') throw new UsageError(`--timeout takes seconds: ${v.timeout}`);
  }
  return {
    method,
    url,
    headers,
    body,
    include: Boolean(v.include || v.head),
    head: Boolean(v.head),
    output: v.output ?? null,
    proxy: v.proxy !== undefined ? parseUrl(v.proxy, 'the proxy') : null,
    cacert: v.cacert ?? null,
    insecure: Boolean(v.insecure),
    timeout,
    strict: Boolean(v.strict),
    verbose: Boolean(v.verbose),
    writeOut: v['write-out'] ?? null,
    timings: Boolean(v.timings),
    silent: Boolean(v.silent),
    fail: Boolean(v.fail),
  };
}
