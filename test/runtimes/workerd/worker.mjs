// The Worker test/runtimes/workerd.test.ts bundles (esbuild, `workerd`
// export condition: dist/workerd.js, which imports the .wasm files and
// uses cloudflare:sockets) and serves with workerd. GET /?port=N&path=P
// requests http://127.0.0.1:N/P with HTTPConnection and answers with the
// parsed status and headers as JSON; with &pool=1 it makes two requests
// through httpwire/pool's PoolManager instead.
import { HTTPConnection, toReadableStream } from 'httpwire';
import { PoolManager } from 'httpwire/pool';

/** Whether this runtime compiles WebAssembly from bytes (Workers do not: hence the .wasm imports). */
function compileFromBytes() {
  try {
    new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    return 'allowed';
  } catch (err) {
    return `refused: ${err?.message}`;
  }
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const port = Number(url.searchParams.get('port'));
    if (url.searchParams.get('pool')) {
      const http = new PoolManager({ timeout: 20 });
      try {
        const target = `http://127.0.0.1:${port}${url.searchParams.get('path') ?? '/'}`;
        const a = await http.request('GET', target);
        const b = await http.request('GET', target);
        return Response.json({ statuses: [a.status, b.status], lengths: [a.data.length, b.data.length] });
      } catch (err) {
        return Response.json({ error: `${err?.name}: ${err?.message}` }, { status: 500 });
      } finally {
        http.clear();
      }
    }
    const conn = new HTTPConnection('127.0.0.1', port, { timeout: 20 });
    try {
      await conn.request('GET', url.searchParams.get('path') ?? '/');
      const res = await conn.getresponse();
      let bodyLength = 0;
      for await (const chunk of toReadableStream(res)) bodyLength += chunk.length;
      return Response.json({ status: res.status, reason: res.reason, version: res.version, headers: res.getheaders(), bodyLength, compileFromBytes: compileFromBytes() });
    } catch (err) {
      return Response.json({ error: `${err?.name}: ${err?.message}` }, { status: 500 });
    } finally {
      conn.close();
    }
  },
};
