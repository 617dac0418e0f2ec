// httpwire/core for Cloudflare Workers (workerd): Workers refuse to compile
// WebAssembly from bytes, so this entry imports the .wasm files (compiled
// by the runtime at deploy time) and hands them to the loader.
import scalar from '../../build/httpwire.scalar.wasm';
import simd from '../../build/httpwire.simd.wasm';
import { setWasmModules } from './wasm.js';

setWasmModules({ simd, scalar });

export * from './index.js';
