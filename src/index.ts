// httpwire: Python's http.client for JavaScript. The root entry is the
// Python-named API (src/http); the sans-IO core is `httpwire/core`.
export * from './http/index.js';
