// The ABI moved to src/abi/ (a layer of its own, imported by assembly/ and
// src/core/ alike). This re-export keeps `./abi.js` imports written on other
// branches compiling; new code imports '../abi/index.js'.
export * from '../abi/index.js';
