// Observability hooks. The connection classes call `observe.<event>` at the
// points CPython audits (`http.client.connect`, `http.client.send`) and at
// the points a tracing library needs; each hook is null unless an entry
// point installed one. The Node entry publishes them on diagnostics_channel
// (src/node/diagnostics.ts); other runtimes leave them null, so a hook
// costs one null check.
import type { HTTPConnection } from './client.js';
import type { HTTPResponse } from './response.js';

/** A request whose headers are still being built (putrequest ran; headers may still be added). */
export interface RequestCreatedMessage {
  connection: HTTPConnection;
  method: string;
  url: string;
}

/** The request head was written. `headers`: the head's bytes, exactly as sent. */
export interface HeadersSentMessage {
  connection: HTTPConnection;
  method: string;
  url: string;
  headers: Uint8Array;
}

/** A final response head was read (getresponse's begin() returned). */
export interface ResponseHeadMessage {
  connection: HTTPConnection;
  response: HTTPResponse;
}

/** A request or response failed; `error` is the exception raised to the caller. */
export interface ErrorMessage {
  connection: HTTPConnection;
  error: unknown;
}

/** The installed hooks. */
export interface Observers {
  /** Python's audit event `http.client.connect` (self, host, port). */
  connect: ((connection: HTTPConnection, host: string, port: number) => void) | null;
  /** Python's audit event `http.client.send` (self, data). */
  send: ((connection: HTTPConnection, data: unknown) => void) | null;
  requestCreated: ((message: RequestCreatedMessage) => void) | null;
  headersSent: ((message: HeadersSentMessage) => void) | null;
  responseHead: ((message: ResponseHeadMessage) => void) | null;
  error: ((message: ErrorMessage) => void) | null;
}

/** The hooks the connection classes call; set by an entry point. */
export const observe: Observers = {
  connect: null,
  send: null,
  requestCreated: null,
  headersSent: null,
  responseHead: null,
  error: null,
};
