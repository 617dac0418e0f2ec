// httpwire/core: the sans-IO HTTP/1.1 response and request readers. Runs in any
// JavaScript engine with WebAssembly; imports nothing from node:*.
export * from '../abi/index.js';
export { latin1Decode, latin1Encode, latin1Invalid } from './latin1.js';
export { ReceiveBuffer } from './buffer.js';
export { ParseError, LINE_KIND_TEXT, STRICT_RULES, REQUEST_LINE_TEXT } from './errors.js';
export { HeadParser, HeadScan, ResponseHead, HeaderFields, BodyKind, type HeadParserOptions } from './head.js';
export {
  ContentLengthReader,
  ChunkedReader,
  UntilCloseReader,
  EmptyReader,
  bodyReaderFor,
  type BodyReader,
} from './body.js';
export { ResponseMachine, ResponsePhase, ResponseEvent, type ResponseMachineOptions } from './response.js';
export { RequestHead, RequestHeadParser, type RequestHeadParserOptions, type ProtocolVersion } from './request-head.js';
export { RequestReader, type RequestEvent, type RequestReaderOptions } from './request-reader.js';
export { WasmParser, createWasmParser, getWasmParser, setWasmModules, type WasmBuild } from './wasm.js';
export {
  ConnectionState,
  ConnectionEvent,
  CONNECTION_ROWS,
  nextState,
  type ConnectionRow,
} from './connection.js';
export {
  ACCEPT_IDENTITY_LINE,
  JOIN_BODY_MAX,
  bodyLength,
  connectHead,
  frameChunk,
  headerLine,
  headWithBody,
  hostValue,
  idnaHost,
  joinHead,
  LAST_CHUNK,
  requestFraming,
  type RequestFraming,
} from './request-writer.js';
