// The Worker test/runtimes/workerd.test.ts bundles (esbuild, `workerd`
// export condition: dist/workerd.js, which imports the .wasm files and
// uses cloudflare:sockets) and serves with workerd. GET /?port=N&path=P
// requests http://127.0.0.1:N/P with HTTPConnection and answers with the
// parsed status and headers as JSON.
import { HTTPConnection, toReadableStream } from 'httpwire';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const port = Number(url.searchParams.get('port'));
    const conn = new HTTPConnection('127.0.0.1', port, { timeout: 20 });
    try {
      await conn.request('GET', url.searchParams.get('path') ?? '/');
      const res = await conn.getresponse();
      let bodyLength = 0;
      for await (const chunk of toReadableStream(res)) bodyLength += chunk.length;
      return Response.json({ status: res.status, reason: res.reason, version: res.version, headers: res.getheaders(), bodyLength });
    } catch (err) {
      return Response.json({ error: `${err?.name}: ${err?.message}` }, { status: 500 });
    } finally {
      conn.close();
    }
  },
};
