// What the soak script (test/soak/soak.mjs) needs from httpwire: the Node
// entry and the shared WASM parser whose memory it watches.
export { HTTPConnection } from '../../src/index.js';
export { getWasmParser } from '../../src/core/index.js';
