// Replaying a request fixture (or a generated request stream) through the
// core's RequestReader the way CPython's BaseHTTPRequestHandler.handle()
// reads a connection (test/cpython/request_oracle.py): requests one after
// another until one closes the connection, each with its body read by its
// framing. Events are pulled after every piece, so a head or body split
// across reads exercises the resume paths. No node:* imports.
import { RequestReader, latin1Decode, type ProtocolVersion, type WasmParser } from '../../src/core/index.js';
import { pythonExceptionName } from '../../src/http/exceptions.js';
import { requestError, requestPath } from '../../src/http/server.js';

/** send_error's arguments as the oracle prints them, or a silent close. */
function sendErrorRecord(e: Parameters<typeof requestError>[0]): RequestRecord {
  const s = requestError(e);
  return s ? { status: s.code, message: s.message, explain: s.explain } : { closed: true };
}

export type RequestRecord = Record<string, unknown>;

export interface ReplayOptions {
  wasm?: WasmParser;
  strict?: boolean;
  protocol?: ProtocolVersion;
}

/** Feeds `pieces` (then EOF) and returns what the oracle returns: `{requests: [...]}`. */
export function readRequests(pieces: Uint8Array[], options: ReplayOptions = {}): { requests: RequestRecord[] } {
  const reader = new RequestReader({
    strict: options.strict ?? false,
    protocolVersion: options.protocol ?? 'HTTP/1.1',
    ...(options.wasm ? { wasm: options.wasm } : {}),
  });
  const requests: RequestRecord[] = [];
  let current: RequestRecord | null = null;
  let body: Uint8Array[] = [];
  let done = false;

  const drain = (): void => {
    while (!done) {
      const ev = reader.next();
      switch (ev.type) {
        case 'need-more':
          return;
        case 'head': {
          const h = ev.head;
          current = {
            command: h.method,
            path: requestPath(h.target),
            request_version: h.versionText,
            headers: h.headers.toArray(),
            close_connection: h.closeConnection,
            expect_100: h.expectContinue,
            chunked: h.chunked,
            length: h.lengthClamped ? 'huge' : h.length, // as request_oracle.py reports it
          };
          body = [];
          break;
        }
        case 'data':
          body.push(ev.data.slice());
          break;
        case 'end': {
          const r = current!;
          r.body = body.map((b) => latin1Decode(b)).join('');
          requests.push(r);
          current = null;
          if (r.close_connection) done = true;
          break;
        }
        case 'closed':
          requests.push({ closed: true });
          done = true;
          break;
        case 'error':
          if (current) {
            current.body_error = pythonExceptionName(ev.error.code);
            requests.push(current);
          } else {
            requests.push(sendErrorRecord(ev.error));
          }
          done = true;
          break;
      }
    }
  };
  for (const p of pieces) {
    reader.feed(p);
    drain();
  }
  reader.end();
  drain();
  if (!done) requests.push({ stuck: true }); // never expected: EOF decides everything
  return { requests };
}
