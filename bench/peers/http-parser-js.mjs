// Peer: http-parser-js, a pure-JS parser. Its users install it in place of
// Node's binding (process.binding('http_parser').HTTPParser = ...), so
// node:http drives it exactly as it drives Node's own parser: one parser
// per socket in RESPONSE mode, execute(socketRead), positional
// kOnHeadersComplete arguments (node:http reads HTTPParser.kOnExecute,
// which switches http-parser-js from its 0.12 object-argument mode; we
// read it too), headers as a flat array of strings.
import { createRequire } from 'node:module';
import { httpParserConnection, onHeadersComplete } from './common.mjs';

const require = createRequire(import.meta.url);
const { HTTPParser } = require('http-parser-js');
void HTTPParser.kOnExecute; // positional callback arguments, as under node:http

const { kOnHeaders, kOnHeadersComplete, kOnBody, kOnMessageComplete } = HTTPParser;

export const label = `http-parser-js ${require('http-parser-js/package.json').version}`;

export function createConnection(workload) {
  const state = { all: workload === 'all', strings: [], sum: 0, status: 0, headerCount: 0, bodyLength: 0, done: false };
  const parser = new HTTPParser(HTTPParser.RESPONSE);
  parser._headers = [];
  parser[kOnHeaders] = function parserOnHeaders(headers) {
    this._headers.push(...headers);
  };
  parser[kOnHeadersComplete] = onHeadersComplete(state);
  parser[kOnBody] = function parserOnBody(b, start, len) {
    state.bodyLength += len;
  };
  parser[kOnMessageComplete] = function parserOnMessageComplete() {
    state.done = true;
  };
  return httpParserConnection(parser, state, 'http-parser-js');
}
