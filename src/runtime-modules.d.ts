// Modules only some runtimes provide, as far as the entries use them.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

declare module 'cloudflare:sockets' {
  export function connect(address: { hostname: string; port: number }, options?: object): unknown;
}
