// Peer: httpwire's core, driven as its own reader (src/core/message.ts,
// the http layer) drives it: one ReceiveBuffer and one HeadParser per
// connection; each socket read is pushed into the buffer; the head parser
// runs over buf.view() until it returns the head; the head bytes are
// consumed; bodyReaderFor(head) then takes body pieces out of the buffer
// (views, no copy) until done. Header strings are made on demand:
// headers.get(name) for the named workload, name(i) / value(i) for all.
import * as dist from '../../dist/core/index.js';
import { NAMED } from '../corpora.mjs';

const MAX = Number.MAX_SAFE_INTEGER;

export function label(build, tag = '') {
  return `httpwire${tag ? ' ' + tag : ''} (${build})`;
}

/**
 * Connections over a given build of httpwire/core (the module namespace of
 * dist/core/index.js, or of another build of it for A/B runs).
 */
export function connector(core) {
  const { HeadParser, ReceiveBuffer, bodyReaderFor, createWasmParser } = core;
  /** `build`: 'simd' or 'scalar' (each connection gets its own instance of that build). */
  return function createConnection(workload, build = 'simd') {
    const wasm = createWasmParser(build);
    const parser = new HeadParser({ wasm });
    const buf = new ReceiveBuffer();
    const all = workload === 'all';
    const strings = [];
    const conn = {
      status: 0,
      headerCount: 0,
      bodyLength: 0,
      response(segments) {
        let head = null;
        let reader = null;
        let sum = 0;
        let bodyLength = 0;
        for (let s = 0; s < segments.length; s++) {
          buf.push(segments[s]);
          while (head === null) {
            head = parser.execute(buf.view(), false, false);
            if (head === null) break;
            buf.consume(head.headLength);
            if (head.status === 100) {
              head = null; // begin() skips 100 Continue
              continue;
            }
            const h = head.headers;
            sum = head.status;
            if (all) {
              for (let i = 0; i < h.length; i++) {
                const name = h.name(i);
                const value = h.value(i);
                strings[2 * i] = name;
                strings[2 * i + 1] = value;
                sum += name.length + value.length;
              }
            } else {
              for (let t = 0; t < NAMED.length; t++) {
                const value = h.get(NAMED[t]);
                if (value !== undefined) {
                  strings[t] = value;
                  sum += value.length;
                }
              }
            }
            reader = bodyReaderFor(head, wasm);
          }
          if (reader === null) continue;
          while (!reader.done) {
            const piece = reader.next(buf, MAX, false);
            if (piece.length === 0) break;
            bodyLength += piece.length;
          }
        }
        if (reader === null || !reader.done) throw new Error('httpwire: response not complete');
        conn.status = head.status;
        conn.headerCount = head.headers.length;
        conn.bodyLength = bodyLength;
        return sum + bodyLength;
      },
    };
    return conn;
  };
}

/** Connections over this checkout's dist/core. */
export const createConnection = connector(dist);
