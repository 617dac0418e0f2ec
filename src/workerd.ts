// httpwire for Cloudflare Workers (workerd): the portable entry with the
// .wasm files imported (see core/workerd.ts) and `connect()` from
// `cloudflare:sockets` as the default transport.
import { connect } from 'cloudflare:sockets';
import './core/workerd.js';
import { setDefaultTransportFactory } from './http/client.js';
import { workersTransportFactory, type WorkersConnect } from './transport/workers.js';

export * from './browser.js';
export { workersTransportFactory, type WorkersConnect, type WorkersSocket } from './transport/workers.js';

setDefaultTransportFactory(workersTransportFactory(connect as WorkersConnect));
