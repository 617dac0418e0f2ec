// The core's response state machine (src/core/response.ts): events in
// order for each framing, whole, split at every offset and byte by byte
// (h11's test_io way), errors as data, and the bytes after a response left
// for the next one.
import { describe, expect, it } from 'vitest';
import {
  Code,
  createWasmParser,
  ReceiveBuffer,
  ResponseEvent,
  ResponseMachine,
  ResponsePhase,
  type ResponseMachineOptions,
} from '../src/core/index.js';

const wasm = createWasmParser('simd');
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);

/** What a machine gives for `pieces` (then EOF if `eof`): events in order, DATA runs joined. */
function run(pieces: Uint8Array[], eof = true, options: ResponseMachineOptions = {}, max?: number) {
  const m = new ResponseMachine({ wasm, ...options });
  const events: string[] = [];
  let body = '';
  const pull = () => {
    for (;;) {
      const e = m.next(max);
      if (e === ResponseEvent.DATA) {
        body += text(m.data);
        if (events[events.length - 1] !== 'data') events.push('data');
        continue;
      }
      if (e === ResponseEvent.NEED_DATA) return;
      const name = ['need', 'informational', 'head', 'data', 'end', 'error'][e]!;
      if (e === ResponseEvent.END || e === ResponseEvent.ERROR) {
        if (events[events.length - 1] !== name) events.push(name);
        return;
      }
      events.push(name);
    }
  };
  for (const p of pieces) {
    m.receive(p);
    pull();
  }
  if (eof) {
    m.receiveEof();
    pull();
  }
  return { m, events, body };
}

/** `input` whole, split in two at every offset, and one byte at a time: the same outcome each way. */
function everyWay(input: string, eof = true, options: ResponseMachineOptions = {}) {
  const all = bytes(input);
  const whole = run([all], eof, options);
  const outcome = (r: ReturnType<typeof run>) => ({
    events: r.events,
    body: r.body,
    phase: r.m.phase,
    code: r.m.error?.code ?? 0,
    // After an error the unread bytes are no contract (the connection is dropped).
    left: r.m.phase === ResponsePhase.ERROR ? -1 : r.m.buffer.length,
  });
  const want = outcome(whole);
  for (let at = 0; at <= all.length; at++) {
    expect({ at, ...outcome(run([all.subarray(0, at), all.subarray(at)], eof, options)) }).toEqual({ at, ...want });
  }
  const single = Array.from(all, (_, i) => all.subarray(i, i + 1));
  expect(outcome(run(single, eof, options))).toEqual(want);
  return whole;
}

describe('ResponseMachine', () => {
  it('a Content-Length response: head, data, end; the bytes after it stay in the buffer', () => {
    const r = everyWay('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1', false);
    expect(r.events).toEqual(['head', 'data', 'end']);
    expect(r.body).toBe('hello');
    expect(r.m.phase).toBe(ResponsePhase.DONE);
    expect(r.m.head!.status).toBe(200);
    expect(text(r.m.buffer.view())).toBe('HTTP/1.1');
  });

  it('a chunked response with a trailer, and one with extensions and odd size lines', () => {
    const a = everyWay('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n', false);
    expect(a.events).toEqual(['head', 'data', 'end']);
    expect(a.body).toBe('Wikipedia');
    const b = everyWay('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n 05 \r\npedia\r\n000\r\n\r\n', false);
    expect(b.body).toBe('Wikipedia');
    expect(b.m.phase).toBe(ResponsePhase.DONE);
  });

  it('an until-close body ends only at EOF', () => {
    const open = run([bytes('HTTP/1.0 200 OK\r\n\r\nabc')], false);
    expect(open.events).toEqual(['head', 'data']);
    expect(open.m.phase).toBe(ResponsePhase.BODY);
    const r = everyWay('HTTP/1.0 200 OK\r\n\r\nabc');
    expect(r.events).toEqual(['head', 'data', 'end']);
    expect(r.body).toBe('abc');
  });

  it('no body: 204, 304, and any response to HEAD', () => {
    expect(everyWay('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', false).events).toEqual(['head', 'end']);
    expect(everyWay('HTTP/1.1 304 Not Modified\r\n\r\n', false).events).toEqual(['head', 'end']);
    const head = everyWay('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', false, { headRequest: true });
    expect(head.events).toEqual(['head', 'end']);
  });

  it('skips 100 Continue as an informational event, and only 100', () => {
    const r = everyWay('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', false);
    expect(r.events).toEqual(['informational', 'head', 'data', 'end']);
    expect(r.m.informational!.status).toBe(100);
    expect(r.m.head!.status).toBe(200);
    const early = everyWay('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n', false);
    expect(early.events).toEqual(['head', 'end']);
    expect(early.m.head!.status).toBe(103);
  });

  it('asks for data until the head is complete, and gives body bytes in pieces of at most max', () => {
    const m = new ResponseMachine({ wasm });
    expect(m.next()).toBe(ResponseEvent.NEED_DATA);
    m.receive(bytes('HTTP/1.1 200 OK\r\nContent-'));
    expect(m.next()).toBe(ResponseEvent.NEED_DATA);
    expect(m.phase).toBe(ResponsePhase.HEAD);
    m.receive(bytes('Length: 10\r\n\r\n0123456789'));
    expect(m.next(4)).toBe(ResponseEvent.HEAD);
    const pieces: string[] = [];
    while (m.next(4) === ResponseEvent.DATA) pieces.push(text(m.data));
    expect(pieces).toEqual(['0123', '4567', '89']);
    expect(m.next()).toBe(ResponseEvent.END);
    expect(m.next()).toBe(ResponseEvent.END);
  });

  describe('errors are data: an ERROR event, never a throw, and it stays', () => {
    it('a bad status line', () => {
      const r = everyWay('HTTP/1.1 abc OK\r\n\r\n');
      expect(r.events).toEqual(['error']);
      expect(r.m.error!.code).toBe(Code.BAD_STATUS_LINE);
      expect(r.m.next()).toBe(ResponseEvent.ERROR);
      expect(r.m.phase).toBe(ResponsePhase.ERROR);
    });

    it('EOF before any byte is REMOTE_DISCONNECTED', () => {
      const r = run([], true);
      expect(r.events).toEqual(['error']);
      expect(r.m.error!.code).toBe(Code.REMOTE_DISCONNECTED);
    });

    it('a Content-Length body cut by EOF: the bytes first, then the error with what is missing', () => {
      const r = everyWay('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      expect(r.events).toEqual(['head', 'data', 'error']);
      expect(r.body).toBe('abc');
      expect(r.m.error!.code).toBe(Code.INCOMPLETE_BODY);
      expect(r.m.error!.expected).toBe(7);
    });

    it('a chunk cut by EOF, and a bad size line after a whole chunk', () => {
      const cut = everyWay('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nde');
      expect(cut.body).toBe('abcde');
      expect(cut.m.error!.code).toBe(Code.INCOMPLETE_CHUNK);
      expect(cut.m.partialChunkBytes).toBe(2);
      const bad = everyWay('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n', false);
      expect(bad.body).toBe('abc');
      expect(bad.events).toEqual(['head', 'data', 'error']);
      expect(bad.m.error!.code).toBe(Code.BAD_CHUNK_SIZE);
      expect(bad.m.partialChunkBytes).toBe(0);
    });

    it('strict mode: Content-Length with Transfer-Encoding', () => {
      const r = everyWay('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', true, { strict: true });
      expect(r.events).toEqual(['error']);
      expect(r.m.error!.code).toBe(Code.STRICT_VIOLATION);
      const lax = run([bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')], false);
      expect(lax.events).toEqual(['head', 'end']);
    });
  });

  it('keep-alive: a second machine over the same buffer reads the next response', () => {
    const buffer = new ReceiveBuffer();
    const first = new ResponseMachine({ wasm, buffer });
    first.receive(bytes('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno'));
    const events: number[] = [];
    for (let e = first.next(); e !== ResponseEvent.END; e = first.next()) events.push(e);
    expect(events).toEqual([ResponseEvent.HEAD, ResponseEvent.DATA]);
    const second = new ResponseMachine({ wasm, buffer });
    expect(second.next()).toBe(ResponseEvent.HEAD);
    expect(second.head!.status).toBe(404);
    expect(second.next()).toBe(ResponseEvent.DATA);
    expect(text(second.data)).toBe('no');
    expect(second.next()).toBe(ResponseEvent.END);
    expect(buffer.length).toBe(0);
  });

  describe('peek: the body bytes the next DATA event could give, not consumed', () => {
    const cases: [string, string, string, string][] = [
      // framing, response, what peek shows once the head is read, what the body is
      ['Content-Length (stops at the body end)', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1', 'abc', 'abc'],
      ['chunked (the current chunk only)', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n', 'ab', 'abc'],
      ['until close (everything buffered)', 'HTTP/1.0 200 OK\r\n\r\nabc', 'abc', 'abc'],
      ['no body (204)', 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n', '', ''],
    ];
    for (const [name, input, peeked, body] of cases) {
      it(name, () => {
        const m = new ResponseMachine({ wasm });
        expect(text(m.peek())).toBe(''); // nothing before the head
        m.receive(bytes(input));
        expect(m.next()).toBe(ResponseEvent.HEAD);
        expect(text(m.peek())).toBe(peeked);
        expect(text(m.peek())).toBe(peeked); // peeking twice consumes nothing
        m.receiveEof();
        let read = '';
        for (let e = m.next(); e === ResponseEvent.DATA; e = m.next()) read += text(m.keptData());
        expect(read).toBe(body);
        expect(m.bodyDone).toBe(true);
        expect(text(m.peek())).toBe('');
      });
    }

    it('a refused chunk size: peek shows nothing and does not throw; framingFailed says the next event is the error', () => {
      const m = new ResponseMachine({ wasm });
      m.receive(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'));
      expect(m.next()).toBe(ResponseEvent.HEAD);
      expect(m.atSizeLine).toBe(true);
      expect(m.peek().length).toBe(0);
      expect(m.framingFailed).toBe(true);
      expect(m.next()).toBe(ResponseEvent.ERROR);
      expect(m.error!.code).toBe(Code.BAD_CHUNK_SIZE);
    });
  });

  it('keptData: a view of an adopted chunk is kept as it is; bytes in reused space are copied', () => {
    const m = new ResponseMachine({ wasm });
    const input = bytes('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nabc' + 'x'.repeat(4997));
    m.receive(input);
    expect(m.next()).toBe(ResponseEvent.HEAD);
    expect(m.next(4096)).toBe(ResponseEvent.DATA);
    expect(m.keptData().buffer).toBe(input.buffer); // adopted and large: no copy
    expect(m.next(3)).toBe(ResponseEvent.DATA);
    expect(m.keptData().buffer).not.toBe(input.buffer); // a small piece of a large chunk: copied, not pinning it
    const reused = new ResponseMachine({ wasm });
    reused.receive(input, false); // memory the transport reuses: borrowed, then copied out
    reused.next();
    expect(reused.next(3)).toBe(ResponseEvent.DATA);
    const kept = reused.keptData();
    expect(kept.buffer).not.toBe(reused.data.buffer);
    expect(text(kept)).toBe('abc');
  });

  describe('nextInto: DATA events copied into the caller\'s memory, the same bytes as next gives', () => {
    const inputs: [string, string][] = [
      ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello worldHTTP/1.1'],
      ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'],
      ['until close', 'HTTP/1.0 200 OK\r\n\r\nhello world'],
    ];
    for (const [name, input] of inputs) {
      it(name, () => {
        const all = bytes(input);
        // Byte by byte, into a 4-byte target: never more than the room left, never past the body.
        const m = new ResponseMachine({ wasm });
        const target = new Uint8Array(4);
        let body = '';
        let at = 0;
        for (let i = 0; i <= all.length; i++) {
          if (i < all.length) m.receive(all.subarray(i, i + 1));
          else m.receiveEof();
          for (;;) {
            const e = m.phase === ResponsePhase.HEAD ? m.next() : m.nextInto(target, at);
            if (e === ResponseEvent.DATA) {
              at += m.dataLength;
              if (at === target.length) {
                body += text(target);
                at = 0;
              }
            } else if (e !== ResponseEvent.HEAD) break;
          }
        }
        body += text(target.subarray(0, at));
        expect(body).toBe('hello world');
        expect(m.phase).toBe(ResponsePhase.DONE);
      });
    }

    it('a Content-Length body cut short: ERROR with what it still expected, as next', () => {
      const m = new ResponseMachine({ wasm });
      m.receive(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'));
      m.receiveEof();
      expect(m.next()).toBe(ResponseEvent.HEAD);
      const target = new Uint8Array(8);
      expect(m.nextInto(target, 0)).toBe(ResponseEvent.DATA);
      expect(m.dataLength).toBe(2);
      expect(m.nextInto(target, 2)).toBe(ResponseEvent.ERROR);
      expect(m.error!.code).toBe(Code.INCOMPLETE_BODY);
      expect(m.error!.expected).toBe(3);
    });
  });
});
