// Peer: Node's own HTTP parser (llhttp compiled into node, reached through
// require('_http_common').HTTPParser), used for responses the way
// lib/_http_client.js and lib/_http_common.js use it: one parser per
// socket, initialize(RESPONSE, resource, maxHeaderSize 0 = default,
// kLenientNone), execute(socketRead) per read, and the kOnHeaders /
// kOnHeadersComplete / kOnBody / kOnMessageComplete callbacks. Headers arrive
// as a flat [name, value, ...] array of strings (more than 32 headers come
// early through kOnHeaders and are joined as parserOnHeaders does); body
// pieces arrive as Buffers. IncomingMessage and the stream machinery are
// left out: they are not parser cost.
import { createRequire } from 'node:module';
import { httpParserConnection, onHeadersComplete } from './common.mjs';

const require = createRequire(import.meta.url);
const { HTTPParser } = require('_http_common');

const { kOnHeaders, kOnHeadersComplete, kOnBody, kOnMessageComplete } = HTTPParser;

export const label = `node ${process.versions.node} (llhttp ${process.versions.llhttp}, native)`;

export function createConnection(workload) {
  const state = { all: workload === 'all', strings: [], sum: 0, status: 0, headerCount: 0, bodyLength: 0, done: false };
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
  parser._headers = [];
  parser._url = '';
  parser[kOnHeaders] = function parserOnHeaders(headers, url) {
    this._headers.push(...headers);
    this._url += url;
  };
  parser[kOnHeadersComplete] = onHeadersComplete(state);
  parser[kOnBody] = function parserOnBody(b) {
    state.bodyLength += b.length;
  };
  parser[kOnMessageComplete] = function parserOnMessageComplete() {
    state.done = true;
  };
  return httpParserConnection(parser, state, 'node');
}
