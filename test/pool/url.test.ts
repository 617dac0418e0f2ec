// parse_url gives what the WHATWG parser gives (urllib3's parse_url is
// its own RFC 3986 parser; ours is the platform's): checked on hand-picked
// edge cases and on generated URLs made of the pieces that matter (case,
// ports, IPv4 forms, dot segments, percent signs, quotes, empty query), and
// a URL with a scheme that does not parse is refused, not re-read as a host.
import { describe, expect, it } from 'vitest';
import { parse_url } from '../../src/pool/index.js';

/** What parse_url returns, computed with the WHATWG parser. */
function viaURL(url: string) {
  const u = new URL(url);
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return {
    scheme: u.protocol.slice(0, -1),
    host,
    port: u.port ? Number(u.port) : null,
    request_uri: (u.pathname || '/') + u.search,
    url: u.href,
    auth: u.username ? u.username + (u.password ? ':' + u.password : '') : null,
  };
}

/** What `f` returns, or 'error' when it throws. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch {
    return 'error';
  }
}

const EDGE = [
  'http://example.com',
  'http://Example.COM/A/b?Q=1',
  'HTTP://example.com:80/',
  'https://example.com:443/x',
  'https://example.com:8443/x',
  'http://example.com:080/',
  'http://127.0.0.1:8080/path',
  'http://127.1/',
  'http://0x7f.0.0.1/',
  'http://127.0.0.01/',
  'http://1.2.3.4.5/',
  'http://example.com/a/./b',
  'http://example.com/a/../b',
  'http://example.com/a/%2e%2e/b',
  'http://example.com/%zz',
  "http://example.com/?a='b'",
  'http://example.com/?',
  'http://example.com/p?a=1?b=2',
  'http://example.com./',
  'http://xn--nxasmq6b.com/',
  'http://user:pw@example.com/',
  'http://[::1]:8080/x',
  'http://example.com:65535/',
  'http://a-b.c_d.example/',
];

describe('parse_url', () => {
  it.each(EDGE)('%s as the WHATWG parser reads it', (url) => {
    expect(outcome(() => parse_url(url))).toEqual(outcome(() => viaURL(url)));
  });

  it('agrees with the WHATWG parser on 20,000 generated URLs', () => {
    const pick = <T>(xs: T[], r: number) => xs[r % xs.length]!;
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const schemes = ['http', 'https', 'HTTP', 'Https'];
    const hosts = ['example.com', 'EXAMPLE.com', 'a.b.c', '127.0.0.1', '10.0.0.256', '1.2.3', '0x10.0.0.1', 'localhost', 'a..b', 'x.', '09.1.1.1', 'host-1', 'h_2'];
    const ports = ['', ':80', ':443', ':8080', ':0', ':65536', ':00080', ':1'];
    const segs = ['a', 'B', '.', '..', '%2E', '%2e%2E', 'x%20y', '~u', "it's", '(1)', 'a;b=c', '', '@', ':', '%'];
    const queries = ['', '?', '?a=1', '?a=1&b=%20', "?q='x'", '?a?b', '?x=/./', '?%'];
    for (let i = 0; i < 20_000; i++) {
      const n = rnd() % 4;
      const path = Array.from({ length: n }, () => '/' + pick(segs, rnd())).join('');
      const url = `${pick(schemes, rnd())}://${pick(hosts, rnd())}${pick(ports, rnd())}${path}${pick(queries, rnd())}`;
      const expected = outcome(() => viaURL(url));
      const got = outcome(() => parse_url(url));
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect([url, got]).toEqual([url, expected]);
    }
  });
});
