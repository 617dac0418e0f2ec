// The Python-named surface of http.client: the connection classes,
// HTTPResponse, HTTPMessage and parse_headers, the exceptions, the
// constants, and the ssl pieces an HTTPS client needs. Runtime-neutral: an
// entry point supplies the transport (src/index.ts does for Node).
export * from './exceptions.js';
export * from './constants.js';
export * from './message.js';
export { ResponseReader, parseResponse, type ResponseResult, type ResponseReaderOptions } from './report.js';
export { HTTPResponse, _UNKNOWN, type HTTPResponseOptions, type ReadOptions, type SocketFile } from './response.js';
export {
  HTTPConnection,
  HTTPSConnection,
  setDefaultTransportFactory,
  type BytesLike,
  type CallOptions,
  type FileHandleLike,
  type HeaderValue,
  type HTTPConnectionOptions,
  type HTTPSConnectionOptions,
  type ReadableFile,
  type RequestBody,
  type RequestHeaders,
} from './client.js';
export type { ErrorPhase, Placed } from './oserror.js';
export {
  parse_request,
  requestError,
  requestPath,
  type ParsedRequest,
  type ParseRequestOptions,
  type SendError,
} from './server.js';
export * as ssl from './ssl.js';
export {
  SSLContext,
  create_default_context,
  createDefaultContext,
  _create_unverified_context,
  createUnverifiedContext,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  TLSVersion,
} from './ssl.js';
export {
  observe,
  type Observers,
  type ErrorMessage,
  type HeadersSentMessage,
  type RequestCreatedMessage,
  type ResponseHeadMessage,
} from './observe.js';
