// Shared by the peers whose parsers hand over headers as a flat
// [name, value, ...] array of strings (Node's parser, http-parser-js).
import { NAMED } from '../corpora.mjs';

/**
 * Runs the header workload over string headers; returns the checksum
 * (status plus the lengths of the strings read).
 * 'named': the three NAMED headers, first of each name, ASCII
 * case-insensitive. 'all': every name and value (already strings here;
 * stored so they are kept alive as a consumer would keep them).
 */
export function headerWorkload(state, statusCode, headers) {
  let sum = statusCode;
  const out = state.strings;
  if (state.all) {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      const value = headers[i + 1];
      out[i] = name;
      out[i + 1] = value;
      sum += name.length + value.length;
    }
    return sum;
  }
  for (let t = 0; t < NAMED.length; t++) {
    const want = NAMED[t];
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (name.length === want.length && name.toLowerCase() === want) {
        const value = headers[i + 1];
        out[t] = value;
        sum += value.length;
        break;
      }
    }
  }
  return sum;
}

/**
 * The connection object the benchmark drives, over a parser with the
 * HTTPParser API (execute(chunk) returning an Error on failure) whose
 * callbacks fill `state`. `name` labels an incomplete response.
 */
export function httpParserConnection(parser, state, name) {
  return {
    get status() {
      return state.status;
    },
    get headerCount() {
      return state.headerCount;
    },
    get bodyLength() {
      return state.bodyLength;
    },
    response(segments) {
      state.done = false;
      state.bodyLength = 0;
      for (let i = 0; i < segments.length; i++) {
        const ret = parser.execute(segments[i]);
        if (ret instanceof Error) throw ret;
      }
      if (!state.done) throw new Error(`${name}: response not complete`);
      return state.sum + state.bodyLength;
    },
  };
}

/**
 * kOnHeadersComplete as node:http installs it (positional arguments; more
 * than 32 headers arrive early through kOnHeaders into `this._headers`),
 * running the header workload into `state`.
 */
export function onHeadersComplete(state) {
  return function parserOnHeadersComplete(versionMajor, versionMinor, headers, method, url, statusCode) {
    if (!headers) {
      headers = this._headers;
      this._headers = [];
    }
    state.status = statusCode;
    state.headerCount = headers.length >> 1;
    state.sum = headerWorkload(state, statusCode, headers);
    return 0;
  };
}
