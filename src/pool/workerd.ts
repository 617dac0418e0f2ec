// httpwire/pool for Cloudflare Workers: the pool over `connect()` (the workerd entry installs it).
import '../workerd.js';

export * from './index.js';
