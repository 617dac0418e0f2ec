// The Python-named surface of http.client (growing: exceptions, constants,
// HTTPMessage and parse_headers so far; the connection classes come next).
export * from './exceptions.js';
export * from './constants.js';
export * from './message.js';
