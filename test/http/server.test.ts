// parse_request: what CPython 3.13's BaseHTTPRequestHandler.parse_request
// leaves on the handler (and what send_error sends), for the same bytes,
// with CPython's default protocol_version (HTTP/1.0) and with HTTP/1.1.
import { describe, expect, it } from 'vitest';
import { parse_request } from '../../src/index.js';
import { runCPython } from '../support/client.js';

const INPUTS = [
  'GET /a?b HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
  'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST //x/y HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET /\r\n\r\n',
  'PUT /\r\n\r\n',
  'GET / HTTP/2.0\r\n\r\n',
  'GET / HTTP/1.x\r\n\r\n',
  'a b c d\r\n\r\n',
  'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
  '\r\n',
  `GET / HTTP/1.1\r\nX: ${'a'.repeat(70000)}\r\n\r\n`,
  `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(120)}\r\n`,
];

const SCRIPT = `
import http.server, io, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def __init__(self, data, proto):
        self.rfile = io.BytesIO(data); self.wfile = io.BytesIO(); self.protocol_version = proto
        self.client_address = ('127.0.0.1', 0); self.sent = None; self.expect = False
    def log_message(self, *a): pass
    def send_error(self, code, message=None, explain=None):
        short, long = self.responses[code]
        self.sent = {'code': int(code), 'message': short if message is None else message, 'explain': long if explain is None else explain}
        super().send_error(code, message, explain)  # its Connection: close sets close_connection
    def handle_expect_100(self):
        self.expect = True
        return True
out = []
args = json.loads(sys.argv[1])
for text in args['inputs']:
    for proto in ['HTTP/1.0', 'HTTP/1.1']:
        h = H(text.encode('latin-1'), proto)
        h.raw_requestline = h.rfile.readline(65537)
        ok = h.parse_request()
        out.append({'ok': ok, 'command': h.command, 'path': getattr(h, 'path', None) if ok else None,
                    'request_version': h.request_version if ok else None, 'close_connection': h.close_connection,
                    'expect_100': h.expect, 'error': h.sent,
                    'headers': [[k, v] for k, v in h.headers.items()] if ok else None})
print(json.dumps(out))
`;

describe('parse_request', () => {
  it("gives CPython's attributes and send_error answers", async () => {
    const want = (await runCPython(SCRIPT, { inputs: INPUTS })) as Record<string, unknown>[];
    const got: Record<string, unknown>[] = [];
    for (const text of INPUTS) {
      for (const protocol_version of ['HTTP/1.0', 'HTTP/1.1'] as const) {
        const r = parse_request(Uint8Array.from(text, (c) => c.charCodeAt(0)), { protocol_version });
        const ok = r.command !== null;
        got.push({
          ok,
          command: r.command,
          path: r.path,
          request_version: r.request_version,
          close_connection: r.close_connection,
          expect_100: r.expect_100,
          error: r.error,
          headers: ok ? r.headers!.items() : null,
        });
      }
    }
    // CPython keeps `command` None and `request_version` at its default on a refused line.
    for (const w of want) {
      if (!w.ok) {
        w.command = null;
        w.request_version = null;
      }
    }
    expect(got).toEqual(want);
  });
});
