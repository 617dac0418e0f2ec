// Every Markdown fixture (test/fixtures/response/*.md) through the path
// users run: HTTPResponse over a MemoryTransport, begin() then read(), the
// outcome reported in the fixtures' result shape (as test/cpython/oracle.py
// reports CPython's). Each input whole, split in two reads at every offset
// (sampled over 4 KiB, as test/fixtures.test.ts), trickled in 1-7 byte
// reads, and followed by another response when it ends on its own. The
// core's own replay (test/fixtures.test.ts) checks the same expectations.
import { describe, expect, it } from 'vitest';
import {
  BadStatusLine,
  HTTPException,
  HTTPResponse,
  IncompleteRead,
  LineTooLong,
  RemoteDisconnected,
  StrictViolation,
  UnknownProtocol,
} from '../../src/index.js';
import { latin1Decode } from '../../src/core/latin1.js';
import { MemoryTransport } from '../../src/transport/memory.js';
import { loadResponseFixtures, type ResponseFixture } from '../support/fixtures.js';
import { read, splitOffsets, trickled } from '../support/replay.js';
import { getWasmParser } from '../../src/core/wasm.js';

const fixtures = loadResponseFixtures();
const TRAILING = Uint8Array.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', (c) => c.charCodeAt(0));

/** begin() and read() over `reads` (then EOF), reported as the fixtures report a response. */
async function outcome(fx: ResponseFixture, reads: Uint8Array[], strict = false): Promise<Record<string, unknown>> {
  const res = new HTTPResponse(new MemoryTransport(reads), { method: fx.method, strict });
  let out: Record<string, unknown> = {};
  try {
    await res.begin();
    out = {
      status: res.status,
      reason: res.reason,
      version: res.version,
      headers: res.getheaders(),
      chunked: res.chunked,
      length: res.length,
      will_close: res.will_close,
    };
    out.body = latin1Decode(await res.read());
    // A response that ends on its own is closed once read.
    if (!res.isclosed()) out.open = true;
  } catch (e) {
    if (e instanceof IncompleteRead) Object.assign(out, { error: 'IncompleteRead', partial: latin1Decode(e.partial), expected: e.expected });
    else if (e instanceof RemoteDisconnected) out.error = 'RemoteDisconnected';
    else if (e instanceof BadStatusLine) Object.assign(out, { error: 'BadStatusLine', line: e.line });
    else if (e instanceof LineTooLong) Object.assign(out, { error: 'LineTooLong', what: e.message.split('reading ').pop() });
    else if (e instanceof UnknownProtocol) Object.assign(out, { error: 'UnknownProtocol', version: e.version });
    else if (e instanceof StrictViolation) Object.assign(out, { error: 'StrictViolation', rule: e.rule });
    else if (e instanceof HTTPException) Object.assign(out, { error: e.name, message: e.message });
    else throw e;
  }
  return out;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('response fixtures through HTTPResponse over MemoryTransport', () => {
  it('loads at least 150 cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
  });

  for (const fx of fixtures) {
    it(`${fx.file}: ${fx.title}`, async () => {
      const whole = await outcome(fx, [fx.input]);
      expect(whole).toEqual(fx.expected);

      for (const at of splitOffsets(fx.input.length)) {
        const split = await outcome(fx, [fx.input.subarray(0, at), fx.input.subarray(at)]);
        if (JSON.stringify(split) !== JSON.stringify(whole)) {
          expect({ splitAt: at, result: split }).toEqual({ splitAt: at, result: whole });
        }
      }

      if (fx.input.length <= 4096) expect(await outcome(fx, trickled(fx.input))).toEqual(whole);

      // Followed by another response: a response that ends on its own (not
      // at EOF: the core's reader tells) stops at its end.
      if (!('error' in fx.expected) && read(fx, getWasmParser(), [fx.input], false).reader.finished) {
        expect(await outcome(fx, [joined(fx.input, TRAILING)])).toEqual(fx.expected);
        expect(await outcome(fx, [fx.input, TRAILING])).toEqual(fx.expected);
      }

      if (fx.strict) expect(await outcome(fx, [fx.input], true)).toEqual(fx.strict);
    });
  }
});
