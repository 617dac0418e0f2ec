// httpwire for Node: Python's http.client for JavaScript. The root entry is
// the Python-named API (src/http) with node:net/tls as the default
// transport and the observability hooks published on diagnostics_channel.
// The sans-IO core is `httpwire/core`; browser.ts is the entry for other
// runtimes, and everything it exports is exported here too.
import * as diagnostics_channel from 'node:diagnostics_channel';
import { accessSync, constants as fsConstants } from 'node:fs';
import { FileNotFoundError, OSError } from './http/exceptions.js';
import { sslFiles } from './http/ssl.js';
import { observe } from './http/observe.js';
import { setDefaultTransportFactory } from './http/client.js';
import { nodeTransportFactory } from './transport/node.js';

export * from './browser.js';
export { nodeTransportFactory } from './transport/node.js';
export { toNodeReadable, type NodeBodyStreamOptions } from './http/node-streams.js';

setDefaultTransportFactory(nodeTransportFactory);

// CA and certificate paths are checked when loaded, as Python's ssl does.
sslFiles.check = (path: string): void => {
  try {
    accessSync(path, fsConstants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(2, 'No such file or directory');
    if (code === 'EACCES') throw new OSError(13, 'Permission denied');
    throw new OSError((e as Error).message);
  }
};

/**
 * The diagnostics_channel names httpwire publishes on. The first two are
 * CPython's audit events (`sys.audit`), with the audit arguments as fields.
 */
export const channels = {
  /** `{ connection, host, port }` before each connect. */
  connect: diagnostics_channel.channel('http.client.connect'),
  /** `{ connection, data }` for each piece of data sent. */
  send: diagnostics_channel.channel('http.client.send'),
  /** `{ connection, method, url }` after putrequest: headers can still be added with putheader. */
  requestCreated: diagnostics_channel.channel('httpwire:client:request:created'),
  /** `{ connection, method, url, headers }` once the request head was written (headers: its bytes). */
  headersSent: diagnostics_channel.channel('httpwire:client:request:headers-sent'),
  /** `{ connection, response }` when a final response head was read. */
  responseHead: diagnostics_channel.channel('httpwire:client:response:head'),
  /** `{ connection, error }` when a request or response failed. */
  error: diagnostics_channel.channel('httpwire:client:error'),
};

// Each hook publishes only while someone subscribes: otherwise it costs one check.
observe.connect = (connection, host, port) => {
  if (channels.connect.hasSubscribers) channels.connect.publish({ connection, host, port });
};
observe.send = (connection, data) => {
  if (channels.send.hasSubscribers) channels.send.publish({ connection, data });
};
observe.requestCreated = (m) => {
  if (channels.requestCreated.hasSubscribers) channels.requestCreated.publish(m);
};
observe.headersSent = (m) => {
  if (channels.headersSent.hasSubscribers) channels.headersSent.publish(m);
};
observe.responseHead = (m) => {
  if (channels.responseHead.hasSubscribers) channels.responseHead.publish(m);
};
observe.error = (m) => {
  if (channels.error.hasSubscribers) channels.error.publish(m);
};
