// httpwire/pool for Deno: the pool over Deno.connect (the Deno entry installs it).
import '../deno.js';

export * from './index.js';
