// Retry and Timeout as tables, row by row from urllib3 2.x's documented
// behaviour (util/retry.py and util/timeout.py docstrings, test_retry.py's
// cases). Rows where urllib3 1.26 and 2.x agree are also checked against
// Debian's python3-urllib3 (1.26) run by /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ConnectTimeoutError,
  InvalidHeader,
  MaxRetryError,
  NewConnectionError,
  ProtocolError,
  ProxyError,
  ReadTimeoutError,
  ResponseError,
  Retry,
  Timeout,
  TimeoutStateError,
  type RetryOptions,
} from '../../src/pool/index.js';
import { ValueError } from '../../src/http/exceptions.js';

/** A response as Retry sees it. */
function resp(status: number, headers: Record<string, string> = {}) {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    headers: { get: (n: string) => lower.get(n.toLowerCase()) ?? null },
    get_redirect_location: () => ([301, 302, 303, 307, 308].includes(status) ? (lower.get('location') ?? null) : false),
  };
}

const connectErr = () => new NewConnectionError(null, 'Failed to establish a new connection: refused');
const readErr = () => new ReadTimeoutError(null, '/', 'Read timed out.');
const protoErr = () => new ProtocolError('Connection aborted.');
const otherErr = () => new Error('something else');

type Event = ['connect' | 'read' | 'proto' | 'other'] | ['status', number] | ['redirect'];

function apply(r: Retry, e: Event, method = 'GET'): Retry {
  switch (e[0]) {
    case 'connect':
      return r.increment(method, '/', null, connectErr());
    case 'read':
      return r.increment(method, '/', null, readErr());
    case 'proto':
      return r.increment(method, '/', null, protoErr());
    case 'other':
      return r.increment(method, '/', null, otherErr());
    case 'status':
      return r.increment(method, '/', resp(e[1]));
    case 'redirect':
      return r.increment(method, '/', resp(302, { location: '/next' }));
  }
}

/** How many events of a kind a Retry accepts before MaxRetryError (urllib3: the attempt after the last allowed raises). */
function allowed(options: RetryOptions, e: Event, method = 'GET', limit = 50): number | 'raises-error' {
  let r = new Retry(options);
  for (let i = 0; i < limit; i++) {
    try {
      r = apply(r, e, method);
    } catch (err) {
      if (err instanceof MaxRetryError) return i;
      return 'raises-error';
    }
  }
  return limit;
}

describe('Retry counters (urllib3 docs: "Set to 0 to fail on the first retry")', () => {
  const table: [string, RetryOptions, Event, number | 'raises-error', string?][] = [
    ['total 0 fails the first connect retry', { total: 0 }, ['connect'], 0],
    ['total 3 allows three connect retries', { total: 3 }, ['connect'], 3],
    ['connect 2 under total 10', { total: 10, connect: 2 }, ['connect'], 2],
    ['read 1 under total 10', { total: 10, read: 1 }, ['read'], 1],
    ['ProtocolError is a read error', { total: 10, read: 2 }, ['proto'], 2],
    ['connect counter does not limit read errors', { total: 4, connect: 0 }, ['read'], 4],
    ['other 1 limits other errors', { total: 10, other: 1 }, ['other'], 1],
    ['status 2 limits forced statuses', { total: 10, status: 2 }, ['status', 503], 2],
    ['redirect 1 limits redirects', { total: 10, redirect: 1 }, ['redirect'], 1],
    ['total null: the connect counter alone', { total: null, connect: 5 }, ['connect'], 5],
    ['read false re-raises the read error', { read: false }, ['read'], 'raises-error'],
    ['connect false re-raises the connect error', { connect: false }, ['connect'], 'raises-error'],
    ['total false re-raises any error', { total: false }, ['connect'], 'raises-error'],
    ['read errors on POST are not retried (not in allowed_methods)', { total: 10 }, ['read'], 'raises-error', 'POST'],
    ['connect errors on POST are retried (the server saw nothing)', { total: 2 }, ['connect'], 2, 'POST'],
    ['allowed_methods null: read errors on POST retried', { total: 2, allowed_methods: null }, ['read'], 2, 'POST'],
  ];
  it.each(table)('%s', (_, options, event, expected, method) => {
    expect(allowed(options, event, method ?? 'GET')).toBe(expected);
  });

  it('MaxRetryError carries the last error as reason (and cause), with urllib3 text', () => {
    const r = new Retry({ total: 0 });
    const e = connectErr();
    let caught: unknown;
    try {
      r.increment('GET', '/x', null, e);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MaxRetryError);
    expect((caught as MaxRetryError).reason).toBe(e);
    expect((caught as Error).cause).toBe(e);
    expect((caught as Error).message).toBe(
      "None: Max retries exceeded with url: /x (Caused by NewConnectionError('Failed to establish a new connection: refused'))",
    );
  });

  it('a status-caused MaxRetryError has ResponseError("too many 503 error responses") as reason', () => {
    let caught: MaxRetryError | undefined;
    try {
      new Retry({ total: 0 }).increment('GET', '/', resp(503));
    } catch (e) {
      caught = e as MaxRetryError;
    }
    expect(caught!.reason).toBeInstanceOf(ResponseError);
    expect((caught!.reason as Error).message).toBe('too many 503 error responses');
  });

  it('redirects exhausted: reason "too many redirects"; redirect false means raise_on_redirect false', () => {
    let caught: MaxRetryError | undefined;
    try {
      new Retry({ redirect: 0 }).increment('GET', '/', resp(301, { location: '/a' }));
    } catch (e) {
      caught = e as MaxRetryError;
    }
    expect((caught!.reason as Error).message).toBe('too many redirects');
    const off = new Retry({ redirect: false });
    expect(off.redirect).toBe(0);
    expect(off.raise_on_redirect).toBe(false);
    expect(new Retry({ total: false }).raise_on_redirect).toBe(false);
  });

  it('history records each attempt: method, url, error, status, redirect_location', () => {
    let r = new Retry(5);
    const e = readErr();
    r = r.increment('GET', '/a', null, e);
    r = r.increment('GET', '/b', resp(503));
    r = r.increment('GET', '/c', resp(302, { location: '/d' }));
    expect(r.history).toEqual([
      { method: 'GET', url: '/a', error: e, status: null, redirect_location: null },
      { method: 'GET', url: '/b', error: null, status: 503, redirect_location: null },
      { method: 'GET', url: '/c', error: null, status: 302, redirect_location: '/d' },
    ]);
    expect(r.total).toBe(2);
  });

  it('a ProxyError wrapping a connect error counts as a connect error', () => {
    const r = new Retry({ total: 10, connect: 0 });
    expect(() => r.increment('POST', '/', null, new ProxyError('Unable to connect to proxy', connectErr()))).toThrow(MaxRetryError);
    expect(r.increment('GET', '/', null, new ProxyError('Unable to connect to proxy', otherErr())).other).toBe(null);
  });

  it('ConnectTimeoutError is a connect error; ReadTimeoutError a read error', () => {
    expect(new Retry()._is_connection_error(new ConnectTimeoutError('x'))).toBe(true);
    expect(new Retry()._is_read_error(readErr())).toBe(true);
    expect(new Retry()._is_read_error(new ConnectTimeoutError('x'))).toBe(false);
  });
});

describe('Retry.is_retry, from_int, backoff, Retry-After', () => {
  const isRetry: [string, RetryOptions, string, number, boolean, boolean][] = [
    ['forcelist status on GET', { status_forcelist: [500, 503] }, 'GET', 503, false, true],
    ['status not in the forcelist', { status_forcelist: [500] }, 'GET', 502, false, false],
    ['forcelist status on POST (not allowed)', { status_forcelist: [503] }, 'POST', 503, false, false],
    ['429 with Retry-After', {}, 'GET', 429, true, true],
    ['413 with Retry-After', {}, 'GET', 413, true, true],
    ['503 with Retry-After', {}, 'GET', 503, true, true],
    ['500 with Retry-After (not a Retry-After status)', {}, 'GET', 500, true, false],
    ['429 without Retry-After', {}, 'GET', 429, false, false],
    ['429 with Retry-After, not respected', { respect_retry_after_header: false }, 'GET', 429, true, false],
    ['429 with Retry-After, total 0', { total: 0 }, 'GET', 429, true, false],
  ];
  it.each(isRetry)('is_retry: %s', (_, o, method, status, hasAfter, expected) => {
    expect(new Retry(o).is_retry(method, status, hasAfter)).toBe(expected);
  });

  it('from_int: null is Retry.DEFAULT (3), a number is total, false disables, redirect false turns redirects off', () => {
    expect(Retry.from_int(null)).toBe(Retry.DEFAULT);
    expect(Retry.DEFAULT.total).toBe(3);
    const r = Retry.from_int(5);
    expect([r.total, r.redirect]).toEqual([5, null]);
    const noRedirect = Retry.from_int(5, false);
    // Python's Retry(5, redirect=False): redirect 0 and raise_on_redirect off.
    expect([noRedirect.total, noRedirect.redirect, noRedirect.raise_on_redirect]).toEqual([5, 0, false]);
    const own = new Retry(2);
    expect(Retry.from_int(own)).toBe(own);
    expect(Retry.from_int(null, true, own)).toBe(own);
  });

  it('backoff: factor * 2^(n-1) after the second consecutive error, capped by backoff_max; redirects reset it', () => {
    let r = new Retry({ total: 20, backoff_factor: 0.5, backoff_max: 3 });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      r = r.increment('GET', '/', null, connectErr());
      times.push(r.get_backoff_time());
    }
    expect(times).toEqual([0, 1, 2, 3, 3, 3]);
    r = r.increment('GET', '/', resp(302, { location: '/x' }));
    expect(r.get_backoff_time()).toBe(0);
  });

  it('backoff_jitter adds up to jitter seconds', () => {
    let r = new Retry({ total: 20, backoff_factor: 1, backoff_jitter: 0.5 });
    r = r.increment('GET', '/', null, connectErr()).increment('GET', '/', null, connectErr());
    for (let i = 0; i < 20; i++) {
      const t = r.get_backoff_time();
      expect(t).toBeGreaterThanOrEqual(2);
      expect(t).toBeLessThanOrEqual(2.5);
    }
  });

  it('parse_retry_after: seconds, HTTP-date, clamped at 0 and retry_after_max; InvalidHeader otherwise', () => {
    const r = new Retry({ retry_after_max: 100 });
    expect(r.parse_retry_after('5')).toBe(5);
    expect(r.parse_retry_after(' 7 ')).toBe(7);
    expect(r.parse_retry_after('1000')).toBe(100);
    expect(r.parse_retry_after('Fri, 31 Dec 1999 23:59:59 GMT')).toBe(0);
    const soon = new Date(Date.now() + 30_000).toUTCString();
    const s = r.parse_retry_after(soon);
    expect(s).toBeGreaterThan(25);
    expect(s).toBeLessThanOrEqual(30);
    expect(() => r.parse_retry_after('soon')).toThrow(InvalidHeader);
    expect(() => r.parse_retry_after('-1')).toThrow('Invalid Retry-After header: -1');
  });

  it('sleep waits for Retry-After when respected (and is cut short by an AbortSignal)', async () => {
    const r = new Retry();
    const ac = new AbortController();
    // A 6-hour Retry-After: the test ends only because the abort ends the wait.
    const p = r.sleep(resp(503, { 'retry-after': '21600' }), ac.signal);
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('Timeout (urllib3 util/timeout.py)', () => {
  it('connect and read default to none; from_float sets both', () => {
    const t = new Timeout();
    expect([t.connect_timeout, t.read_timeout]).toEqual([null, null]);
    const f = Timeout.from_float(2.5);
    expect([f.connect_timeout, f.read_timeout]).toEqual([2.5, 2.5]);
  });

  const table: [string, { connect?: number | null; read?: number | null; total?: number | null }, number | null, number | null][] = [
    ['connect only', { connect: 3 }, 3, null],
    ['read only', { read: 4 }, null, 4],
    ['total caps connect', { connect: 5, total: 2 }, 2, 2],
    ['total alone is both', { total: 6 }, 6, 6],
    // Before the connect timer starts, urllib3 gives `read` as it is.
    ['connect below total', { connect: 1, total: 6, read: 9 }, 1, 9],
  ];
  it.each(table)('%s', (_, o, connect, readBeforeStart) => {
    const t = new Timeout(o);
    expect(t.connect_timeout).toBe(connect);
    if (o.total !== undefined && o.total !== null && (o.read === undefined || o.read === null)) {
      // urllib3 needs the connect timer for total without read.
      expect(() => t.read_timeout).toThrow(TimeoutStateError);
      t.start_connect();
      expect(t.read_timeout).toBeCloseTo(readBeforeStart!, 1);
    } else {
      expect(t.read_timeout).toBe(readBeforeStart);
    }
  });

  it('read is what total leaves after the connect phase', async () => {
    const t = new Timeout({ total: 0.5, read: 10 });
    t.start_connect();
    await new Promise((r) => setTimeout(r, 120));
    expect(t.read_timeout).toBeLessThan(0.4);
    expect(t.read_timeout).toBeGreaterThan(0.2);
    expect(() => t.start_connect()).toThrow('Timeout timer has already been started.');
  });

  it('refuses 0, negatives, booleans and non-numbers with urllib3 texts', () => {
    expect(() => new Timeout({ connect: 0 })).toThrow(
      'Attempted to set connect timeout to 0, but the timeout cannot be set to a value less than or equal to 0.',
    );
    expect(() => new Timeout({ read: -1 })).toThrow(ValueError);
    expect(() => new Timeout({ read: true as unknown as number })).toThrow('Timeout cannot be a boolean value. It must be an int, float or None.');
    expect(() => new Timeout({ connect: 'x' as unknown as number })).toThrow('Timeout value connect was x, but it must be an int, float or None.');
    expect(() => new Timeout().get_connect_duration()).toThrow("Can't get connect duration for timer that has not started.");
  });
});

describe('cross-check against Debian python3-urllib3 (1.26, rows where 1.26 and 2.x agree)', () => {
  const script = String.raw`
import json, sys
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError
out = {}
def count(r, kind, method='GET'):
    for i in range(50):
        try:
            if kind == 'connect': r = r.increment(method, '/', error=NewConnectionError(None, 'x'))
            elif kind == 'read': r = r.increment(method, '/', error=ReadTimeoutError(None, '/', 'x'))
        except MaxRetryError:
            return i
        except Exception:
            return 'raises-error'
    return 50
out['rows'] = [
  count(Retry(total=0), 'connect'), count(Retry(total=3), 'connect'), count(Retry(total=10, connect=2), 'connect'),
  count(Retry(total=10, read=1), 'read'), count(Retry(total=4, connect=0), 'read'), count(Retry(read=False), 'read'),
  count(Retry(total=10), 'read', 'POST'), count(Retry(total=2), 'connect', 'POST'),
]
r = Retry(total=20, backoff_factor=0.5)
r.BACKOFF_MAX = 3
bt = []
for i in range(6):
    r = r.increment('GET', '/', error=NewConnectionError(None, 'x'))
    bt.append(min(3, r.get_backoff_time()))
out['backoff'] = bt
out['is_retry'] = [Retry(status_forcelist=[503]).is_retry('GET', 503), Retry(status_forcelist=[503]).is_retry('POST', 503),
                   Retry().is_retry('GET', 429, True), Retry().is_retry('GET', 500, True), bool(Retry(total=0).is_retry('GET', 429, True))]
t = Timeout(connect=5, total=2)
out['timeout'] = [t.connect_timeout, Timeout(connect=1, total=6, read=9).read_timeout, Timeout.from_float(2.5).read_timeout]
print(json.dumps(out))
`;

  it('counters, backoff, is_retry and timeouts match urllib3 1.26', () => {
    const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 30_000 }));
    const ours = {
      rows: [
        allowed({ total: 0 }, ['connect']),
        allowed({ total: 3 }, ['connect']),
        allowed({ total: 10, connect: 2 }, ['connect']),
        allowed({ total: 10, read: 1 }, ['read']),
        allowed({ total: 4, connect: 0 }, ['read']),
        allowed({ read: false }, ['read']),
        allowed({ total: 10 }, ['read'], 'POST'),
        allowed({ total: 2 }, ['connect'], 'POST'),
      ],
      backoff: (() => {
        let r = new Retry({ total: 20, backoff_factor: 0.5, backoff_max: 3 });
        const out: number[] = [];
        for (let i = 0; i < 6; i++) {
          r = r.increment('GET', '/', null, connectErr());
          out.push(r.get_backoff_time());
        }
        return out;
      })(),
      is_retry: [
        new Retry({ status_forcelist: [503] }).is_retry('GET', 503),
        new Retry({ status_forcelist: [503] }).is_retry('POST', 503),
        new Retry().is_retry('GET', 429, true),
        new Retry().is_retry('GET', 500, true),
        new Retry({ total: 0 }).is_retry('GET', 429, true),
      ],
      timeout: [new Timeout({ connect: 5, total: 2 }).connect_timeout, new Timeout({ connect: 1, total: 6, read: 9 }).read_timeout, Timeout.from_float(2.5).read_timeout],
    };
    expect(ours).toEqual(py);
  });
});
