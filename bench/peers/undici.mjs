// Peer: undici 7's llhttp WASM, driven the way undici's
// lib/dispatcher/client-h1.js drives it (read against undici 7.x):
//  - the module is picked as lazyllhttp() picks it (the SIMD build unless on
//    old-Node ppc64 or UNDICI_NO_WASM_SIMD=1, falling back to the plain
//    build) and instantiated once, with the same `env` import callbacks;
//  - Parser.execute copies each socket read into WASM memory (a malloc'd
//    buffer, a multiple of 4096 bytes, grown when a read is larger) and calls
//    llhttp_execute; the callbacks map WASM offsets back onto the JS chunk
//    and hand the parser a FastBuffer view (no copy);
//  - onHeaderField / onHeaderValue keep the raw header Buffers in a flat
//    array, Buffer.concat-ing a piece split across reads, track the header
//    size, and turn Keep-Alive / Connection / Content-Length values into
//    strings as they arrive; onStatus makes statusText a string;
//  - the "request" (the handler) gets the Buffers at headers-complete time
//    and converts them the way undici's own consumers do: names with
//    util.bufferToLowerCasedHeaderName (fetch, parseHeaders), values with
//    buf.toString('latin1').
// Timers, the client queue and sockets are left out: they are not parser cost.
// Nothing under node_modules is modified; undici's own files are loaded.
import assert from 'node:assert';
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { NAMED } from '../corpora.mjs';

const require = createRequire(import.meta.url);
const constants = require('undici/lib/llhttp/constants.js');
const { bufferToLowerCasedHeaderName, parseHeaders } = require('undici/lib/core/util.js');
export const undiciVersion = require('undici/package.json').version;

const FastBuffer = Buffer[Symbol.species];

// lazyllhttp(): which module undici would use on this machine.
let useWasmSIMD = true;
if (process.arch === 'ppc64') {
  const [major, minor] = process.versions.node.split('.').map((n) => parseInt(n, 10));
  if (major < 24 || (major === 24 && minor < 12)) useWasmSIMD = false;
}
if (process.env.UNDICI_NO_WASM_SIMD === '1') useWasmSIMD = false;
else if (process.env.UNDICI_NO_WASM_SIMD === '0') useWasmSIMD = true;

let mod;
/** Which of undici's two llhttp files is in use: 'llhttp_simd-wasm.js' or 'llhttp-wasm.js'. */
export let llhttpFile = '';
if (useWasmSIMD) {
  try {
    mod = new WebAssembly.Module(require('undici/lib/llhttp/llhttp_simd-wasm.js'));
    llhttpFile = 'llhttp_simd-wasm.js';
  } catch {}
}
if (!mod) {
  mod = new WebAssembly.Module(require('undici/lib/llhttp/llhttp-wasm.js'));
  llhttpFile = 'llhttp-wasm.js';
}

let currentParser = null;
let currentBufferRef = null;
let currentBufferSize = 0;
let currentBufferPtr = null;

const llhttpInstance = new WebAssembly.Instance(mod, {
  env: {
    wasm_on_url: (p, at, len) => 0,
    wasm_on_status: (p, at, len) => {
      assert(currentParser.ptr === p);
      const start = at - currentBufferPtr + currentBufferRef.byteOffset;
      return currentParser.onStatus(new FastBuffer(currentBufferRef.buffer, start, len));
    },
    wasm_on_message_begin: (p) => {
      assert(currentParser.ptr === p);
      return currentParser.onMessageBegin();
    },
    wasm_on_header_field: (p, at, len) => {
      assert(currentParser.ptr === p);
      const start = at - currentBufferPtr + currentBufferRef.byteOffset;
      return currentParser.onHeaderField(new FastBuffer(currentBufferRef.buffer, start, len));
    },
    wasm_on_header_value: (p, at, len) => {
      assert(currentParser.ptr === p);
      const start = at - currentBufferPtr + currentBufferRef.byteOffset;
      return currentParser.onHeaderValue(new FastBuffer(currentBufferRef.buffer, start, len));
    },
    wasm_on_headers_complete: (p, statusCode, upgrade, shouldKeepAlive) => {
      assert(currentParser.ptr === p);
      return currentParser.onHeadersComplete(statusCode, upgrade === 1, shouldKeepAlive === 1);
    },
    wasm_on_body: (p, at, len) => {
      assert(currentParser.ptr === p);
      const start = at - currentBufferPtr + currentBufferRef.byteOffset;
      return currentParser.onBody(new FastBuffer(currentBufferRef.buffer, start, len));
    },
    wasm_on_message_complete: (p) => {
      assert(currentParser.ptr === p);
      return currentParser.onMessageComplete();
    },
  },
});

/** client-h1.js's Parser, minus sockets, timers and the client queue. */
class Parser {
  constructor(request, { exports }) {
    this.llhttp = exports;
    this.ptr = this.llhttp.llhttp_alloc(constants.TYPE.RESPONSE);
    this.request = request;
    this.statusCode = 0;
    this.statusText = '';
    this.upgrade = false;
    this.headers = [];
    this.headersSize = 0;
    this.headersMaxSize = 16384; // undici's default maxHeaderSize (http.maxHeaderSize)
    this.shouldKeepAlive = false;
    this.bytesRead = 0;
    this.keepAlive = '';
    this.contentLength = '';
    this.connection = '';
    this.maxResponseSize = -1;
  }

  execute(chunk) {
    assert(currentParser === null);
    assert(this.ptr != null);
    const { llhttp } = this;
    if (chunk.length > currentBufferSize) {
      if (currentBufferPtr) llhttp.free(currentBufferPtr);
      currentBufferSize = Math.ceil(chunk.length / 4096) * 4096;
      currentBufferPtr = llhttp.malloc(currentBufferSize);
    }
    new Uint8Array(llhttp.memory.buffer, currentBufferPtr, currentBufferSize).set(chunk);
    let ret;
    try {
      currentBufferRef = chunk;
      currentParser = this;
      ret = llhttp.llhttp_execute(this.ptr, currentBufferPtr, chunk.length);
    } finally {
      currentParser = null;
      currentBufferRef = null;
    }
    if (ret !== constants.ERROR.OK) {
      throw new Error(`llhttp error ${constants.ERROR[ret] ?? ret} at ${llhttp.llhttp_get_error_pos(this.ptr) - currentBufferPtr}`);
    }
  }

  onStatus(buf) {
    this.statusText = buf.toString();
    return 0;
  }

  onMessageBegin() {
    return 0;
  }

  onHeaderField(buf) {
    const len = this.headers.length;
    if ((len & 1) === 0) this.headers.push(buf);
    else this.headers[len - 1] = Buffer.concat([this.headers[len - 1], buf]);
    this.trackHeader(buf.length);
    return 0;
  }

  onHeaderValue(buf) {
    let len = this.headers.length;
    if ((len & 1) === 1) {
      this.headers.push(buf);
      len += 1;
    } else {
      this.headers[len - 1] = Buffer.concat([this.headers[len - 1], buf]);
    }
    const key = this.headers[len - 2];
    if (key.length === 10) {
      const headerName = bufferToLowerCasedHeaderName(key);
      if (headerName === 'keep-alive') this.keepAlive += buf.toString();
      else if (headerName === 'connection') this.connection += buf.toString();
    } else if (key.length === 14 && bufferToLowerCasedHeaderName(key) === 'content-length') {
      this.contentLength += buf.toString();
    }
    this.trackHeader(buf.length);
    return 0;
  }

  trackHeader(len) {
    this.headersSize += len;
    if (this.headersSize >= this.headersMaxSize) throw new Error('HeadersOverflowError');
  }

  onHeadersComplete(statusCode, upgrade, shouldKeepAlive) {
    const { headers, statusText } = this;
    assert(!this.upgrade);
    assert(this.statusCode < 200);
    this.statusCode = statusCode;
    this.shouldKeepAlive = shouldKeepAlive;
    assert((this.headers.length & 1) === 0);
    this.headers = [];
    this.headersSize = 0;
    const pause = this.request.onHeaders(statusCode, headers, null, statusText) === false;
    if (statusCode < 200) return 1;
    return pause ? constants.ERROR.PAUSED : 0;
  }

  onBody(buf) {
    const { maxResponseSize } = this;
    assert(this.statusCode >= 200);
    if (maxResponseSize > -1 && this.bytesRead + buf.length > maxResponseSize) return -1;
    this.bytesRead += buf.length;
    if (this.request.onData(buf) === false) return constants.ERROR.PAUSED;
    return 0;
  }

  onMessageComplete() {
    const { statusCode, headers, contentLength, bytesRead } = this;
    assert(statusCode >= 100);
    assert((this.headers.length & 1) === 0);
    this.statusCode = 0;
    this.statusText = '';
    this.bytesRead = 0;
    this.contentLength = '';
    this.keepAlive = '';
    this.connection = '';
    this.headers = [];
    this.headersSize = 0;
    if (statusCode < 200) return 0;
    if (contentLength && bytesRead !== parseInt(contentLength, 10)) throw new Error('ResponseContentLengthMismatchError');
    this.request.onComplete(headers);
    return 0;
  }
}

/** The handler side: what undici's consumers do with the raw headers. */
class Request {
  /**
   * `lazy`: in workload (a), make strings of the three wanted headers only.
   * That is NOT undici's path (its request() handler runs util.parseHeaders
   * over every header before the caller sees any); it is kept as a second,
   * labelled peer to show what a lazier undici consumer would cost.
   */
  constructor(workload, lazy = false) {
    this.all = workload === 'all';
    this.lazy = lazy;
    this.strings = [];
    this.sum = 0;
    this.done = false;
    this.status = 0;
    this.headerCount = 0;
    this.bodyLength = 0;
  }

  onHeaders(statusCode, headers, resume, statusText) {
    this.status = statusCode;
    this.headerCount = headers.length >> 1;
    let sum = statusCode;
    if (this.all) {
      const out = this.strings;
      for (let i = 0; i < headers.length; i += 2) {
        const name = bufferToLowerCasedHeaderName(headers[i]);
        const value = headers[i + 1].toString('latin1');
        out[i] = name;
        out[i + 1] = value;
        sum += name.length + value.length;
      }
    } else if (!this.lazy) {
      // undici's request() path: every header into an object (util.parseHeaders), then the reads.
      const obj = parseHeaders(headers);
      for (let t = 0; t < NAMED.length; t++) {
        let value = obj[NAMED[t]];
        if (Array.isArray(value)) value = value[0];
        if (value !== undefined) {
          this.strings[t] = value;
          sum += value.length;
        }
      }
    } else {
      for (let t = 0; t < NAMED.length; t++) {
        const want = NAMED[t];
        for (let i = 0; i < headers.length; i += 2) {
          const key = headers[i];
          if (key.length === want.length && bufferToLowerCasedHeaderName(key) === want) {
            const value = headers[i + 1].toString('latin1');
            this.strings[t] = value;
            sum += value.length;
            break;
          }
        }
      }
    }
    this.sum = sum;
    return true;
  }

  onData(buf) {
    this.bodyLength += buf.length;
    return true;
  }

  onComplete() {
    this.done = true;
  }
}

export const label = 'undici 7 (llhttp wasm)';

/** One keep-alive connection reading one response per `response()` call. */
export function createConnection(workload, lazy = false) {
  const request = new Request(workload, lazy);
  const parser = new Parser(request, llhttpInstance);
  return {
    get status() {
      return request.status;
    },
    get headerCount() {
      return request.headerCount;
    },
    get bodyLength() {
      return request.bodyLength;
    },
    response(segments) {
      request.done = false;
      request.bodyLength = 0;
      for (let i = 0; i < segments.length; i++) parser.execute(segments[i]);
      if (!request.done) throw new Error('undici: response not complete');
      return request.sum + request.bodyLength;
    },
  };
}
