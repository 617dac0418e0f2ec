// httpwire: Python's http.client for JavaScript. The Python-named API
// (src/http) is built on the core re-exported here.
export * from './core/index.js';
