// httpwire for browsers and any other JavaScript runtime (the default
// entry): the Python-named API and the sans-IO pieces, with no default
// transport. Pass `transportFactory` to each connection (or call
// setDefaultTransportFactory once), e.g. streamTransportFactory over the
// runtime's socket streams. Imports nothing from node:*, does no file I/O
// and no top-level await.
export * from './http/index.js';
export { toReadableStream, type BodyStreamOptions } from './http/streams.js';
export { MemoryTransport, memoryFactory, type MemoryFactory, type MemoryTransportOptions } from './transport/memory.js';
export {
  StreamTransport,
  streamTransportFactory,
  type StreamOpener,
  type StreamPair,
} from './transport/streams.js';
export { TransportError, type Transport, type TransportFactory, type ConnectOptions, type TlsOptions } from './transport/types.js';
export { setWasmModules } from './core/wasm.js';
