// CPython 3.13 test_httplib.py: HeaderTests, ported test by test over the
// in-memory transport. CPython inspects `conn._buffer` (the header lines
// before they are sent); here the same lines are read from the bytes sent.
import { describe, it, expect } from 'vitest';
import { HTTPConnection, HTTPResponse, ValueError as PyValueError, pyRepr } from '../../../src/index.js';
import { capturedStdout, dec, enc, fakeSocket } from './support.js';

/** The header lines of the first request in `sent` (request line dropped). */
function headerLines(sent: Uint8Array): string[] {
  const text = dec(sent);
  const end = text.indexOf('\r\n\r\n');
  return text.slice(0, end === -1 ? text.length : end).split('\r\n').slice(1);
}

/** How many header lines of the first request are named `name` (any case). */
function countHeader(sent: Uint8Array, name: string): number {
  return headerLines(sent).filter((l) => l.split(':')[0]!.toLowerCase() === name.toLowerCase()).length;
}

/** The Content-Length value sent (stripped), or null (ContentLengthChecker). */
function contentLength(sent: Uint8Array): string | null {
  let found: string | null = null;
  for (const line of headerLines(sent)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).toLowerCase() === 'content-length') found = line.slice(i + 1).trim();
  }
  return found;
}

describe('HeaderTests', () => {
  it('test_auto_headers', async () => {
    // Some headers are added automatically, but should not be added by
    // .request() if they are explicitly set.
    for (const explicit_header of [true, false]) {
      for (const header of ['Content-length', 'Host', 'Accept-encoding']) {
        const conn = new HTTPConnection('example.com');
        const sock = fakeSocket('blahblahblah');
        conn.sock = sock;
        const body = 'spamspamspam';
        const headers: Record<string, string> = {};
        if (explicit_header) headers[header] = String(body.length);
        await conn.request('POST', '/', body, headers);
        expect(countHeader(sock.sent, header), `${header} explicit=${explicit_header}`).toBe(1);
      }
    }
  });

  it('test_content_length_0', async () => {
    async function sentLength(method: string, body: string | null): Promise<string | null> {
      const conn = new HTTPConnection('example.com');
      const sock = fakeSocket(null);
      conn.sock = sock;
      await conn.request(method, '/', body);
      return contentLength(sock.sent);
    }
    // Methods expecting a body get a content-length of zero if the body is
    // empty (either None or '').
    const methods_with_body = ['PUT', 'POST', 'PATCH'];
    for (const method of methods_with_body) {
      for (const body of [null, '']) {
        expect(await sentLength(method, body), `Header Content-Length incorrect on ${method}`).toBe('0');
      }
    }
    // For these, content-length is not set when the body is None.
    const methods_without_body = ['GET', 'CONNECT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];
    for (const method of methods_without_body) {
      expect(await sentLength(method, null), `Header Content-Length set for empty body on ${method}`).toBe(null);
    }
    // A body of '' is "present but empty": content length is set.
    for (const method of methods_without_body) {
      expect(await sentLength(method, ''), `Header Content-Length incorrect on ${method}`).toBe('0');
    }
    // If the body is set, Content-Length is set.
    for (const method of [...methods_without_body, ...methods_with_body]) {
      expect(await sentLength(method, ' '), `Header Content-Length incorrect on ${method}`).toBe('1');
    }
  });

  it('test_putheader', async () => {
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket(null);
    conn.sock = sock;
    conn.putrequest('GET', '/');
    const expected: string[] = [];
    const put = (name: string | Uint8Array, values: (string | Uint8Array | number)[], line: string) => {
      conn.putheader(name, ...values);
      expected.push(line);
    };
    put('Content-length', [42], 'Content-length: 42');
    put('Foo', [' bar '], 'Foo:  bar ');
    put('Bar', ['\tbaz\t'], 'Bar: \tbaz\t');
    put('Authorization', ['Bearer mytoken'], 'Authorization: Bearer mytoken');
    put('IterHeader', ['IterA', 'IterB'], 'IterHeader: IterA\r\n\tIterB');
    put('LatinHeader', [enc('\xFF')], 'LatinHeader: \xFF');
    put('Utf8Header', [enc('\xc3\x80')], 'Utf8Header: \xc3\x80');
    put('C1-Control', [enc('next\x85line')], 'C1-Control: next\x85line');
    put('Embedded-Fold-Space', ['is\r\n allowed'], 'Embedded-Fold-Space: is\r\n allowed');
    put('Embedded-Fold-Tab', ['is\r\n\tallowed'], 'Embedded-Fold-Tab: is\r\n\tallowed');
    put('Key Space', ['value'], 'Key Space: value');
    put('KeySpace ', ['value'], 'KeySpace : value');
    put(enc('Nonbreak\xa0Space'), ['value'], 'Nonbreak\xa0Space: value');
    put(enc('\xa0NonbreakSpace'), ['value'], '\xa0NonbreakSpace: value');
    // CPython looks in conn._buffer; the same lines are what endheaders sends.
    await conn.endheaders();
    const head = dec(sock.sent);
    for (const line of expected) expect(head).toContain('\r\n' + line + '\r\n');
  });

  it('test_ipv6host_header', async () => {
    // Default host header on IPv6 transaction should be wrapped by [] if
    // it is an IPv6 address
    const cases: [string, string][] = [
      ['[2001::]:81', 'GET /foo HTTP/1.1\r\nHost: [2001::]:81\r\nAccept-Encoding: identity\r\n\r\n'],
      ['[2001:102A::]', 'GET /foo HTTP/1.1\r\nHost: [2001:102A::]\r\nAccept-Encoding: identity\r\n\r\n'],
      ['[fe80::%2]', 'GET /foo HTTP/1.1\r\nHost: [fe80::]\r\nAccept-Encoding: identity\r\n\r\n'],
      ['[fe80::%2]:81', 'GET /foo HTTP/1.1\r\nHost: [fe80::]:81\r\nAccept-Encoding: identity\r\n\r\n'],
    ];
    for (const [host, expected] of cases) {
      const conn = new HTTPConnection(host);
      const sock = fakeSocket('');
      conn.sock = sock;
      await conn.request('GET', '/foo');
      expect(dec(sock.sent).startsWith(expected), `${host}: ${JSON.stringify(dec(sock.sent))}`).toBe(true);
    }
  });

  it('test_malformed_headers_coped_with', async () => {
    // Issue 19996
    const body = 'HTTP/1.1 200 OK\r\nFirst: val\r\n: nval\r\nSecond: val\r\n\r\n';
    const resp = new HTTPResponse(fakeSocket(body));
    await resp.begin();
    expect(resp.getheader('First')).toBe('val');
    expect(resp.getheader('Second')).toBe('val');
  });

  it('test_parse_all_octets', async () => {
    // Ensure no valid header field octet breaks the parser
    const range = (a: number, b: number) => String.fromCharCode(...Array.from({ length: b - a + 1 }, (_, i) => a + i));
    const body =
      'HTTP/1.1 200 OK\r\n' +
      "!#$%&'*+-.^_`|~: value\r\n" + // Special token characters
      'VCHAR: ' + range(0x21, 0x7e) + '\r\n' +
      'obs-text: ' + range(0x80, 0xff) + '\r\n' +
      'obs-fold: text\r\n' +
      ' folded with space\r\n' +
      '\tfolded with tab\r\n' +
      'Content-Length: 0\r\n' +
      '\r\n';
    const resp = new HTTPResponse(fakeSocket(enc(body)));
    await resp.begin();
    expect(resp.getheader('Content-Length')).toBe('0');
    expect(resp.msg!.getItem('Content-Length')).toBe('0');
    expect(resp.getheader("!#$%&'*+-.^_`|~")).toBe('value');
    expect(resp.msg!.getItem("!#$%&'*+-.^_`|~")).toBe('value');
    const vchar = range(0x21, 0x7e);
    expect(resp.getheader('VCHAR')).toBe(vchar);
    expect(resp.msg!.getItem('VCHAR')).toBe(vchar);
    expect(resp.getheader('obs-text')).not.toBeNull();
    expect(resp.msg!.has('obs-text')).toBe(true);
    for (const folded of [resp.getheader('obs-fold') as string, resp.msg!.getItem('obs-fold')!]) {
      expect(folded.startsWith('text')).toBe(true);
      expect(folded).toContain(' folded with space');
      expect(folded.endsWith('folded with tab')).toBe(true);
    }
  });

  it('test_invalid_headers', async () => {
    const conn = new HTTPConnection('example.com');
    conn.sock = fakeSocket('');
    conn.putrequest('GET', '/');
    // http://tools.ietf.org/html/rfc7230#section-3.2.4, whitespace is no
    // longer allowed in header names
    const cases: [string, string][] = [
      ['Invalid\r\nName', 'ValidValue'],
      ['Invalid\rName', 'ValidValue'],
      ['Invalid\nName', 'ValidValue'],
      ['\r\nInvalidName', 'ValidValue'],
      ['\rInvalidName', 'ValidValue'],
      ['\nInvalidName', 'ValidValue'],
      [' InvalidName', 'ValidValue'],
      ['\tInvalidName', 'ValidValue'],
      ['Invalid:Name', 'ValidValue'],
      [':InvalidName', 'ValidValue'],
      ['ValidName', 'Invalid\r\nValue'],
      ['ValidName', 'Invalid\rValue'],
      ['ValidName', 'Invalid\nValue'],
      ['ValidName', 'InvalidValue\r\n'],
      ['ValidName', 'InvalidValue\r'],
      ['ValidName', 'InvalidValue\n'],
    ];
    for (const [name, value] of cases) {
      // CPython's message names the bad part and shows it as bytes.
      const message =
        name === 'ValidName' ? `Invalid header value ${pyRepr(enc(value))}` : `Invalid header name ${pyRepr(enc(name))}`;
      let error: unknown = null;
      try {
        conn.putheader(enc(name), enc(value));
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify([name, value])).toBeInstanceOf(PyValueError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('test_headers_debuglevel', async () => {
    const body = 'HTTP/1.1 200 OK\r\nFirst: val\r\nSecond: val1\r\nSecond: val2\r\n';
    const resp = new HTTPResponse(fakeSocket(body), 1);
    const lines = await capturedStdout(() => resp.begin());
    expect(lines[0]).toBe("reply: 'HTTP/1.1 200 OK\\r\\n'");
    expect(lines[1]).toBe('header: First: val');
    expect(lines[2]).toBe('header: Second: val1');
    expect(lines[3]).toBe('header: Second: val2');
  });
});
