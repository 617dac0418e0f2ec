// httpwire for Deno: the portable entry with Deno.connect / Deno.connectTls
// as the default transport (run with --allow-net).
import { setDefaultTransportFactory } from './http/client.js';
import { denoTransportFactory } from './transport/deno.js';

export * from './browser.js';
export { denoTransportFactory } from './transport/deno.js';

setDefaultTransportFactory(denoTransportFactory);
