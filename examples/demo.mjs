// `npm start`: httpwire's core reading real responses from a real socket.
// An embedded server on 127.0.0.1 answers several requests on one keep-alive
// connection (Content-Length, chunked, 100 Continue, HEAD, a malformed
// status line); each response is read with HeadParser + a body reader, the
// sans-IO way: the socket pushes bytes, the core says what they mean.
import net from 'node:net';
import { once } from 'node:events';
import { bodyReaderFor, getWasmParser, HeadParser, ParseError, ReceiveBuffer } from 'httpwire/core';

const enc = (s) => Buffer.from(s, 'latin1');
const chunked = (...parts) => parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

const routes = {
  '/hello': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!',
  '/chunked':
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n' +
    chunked('Chunked ', 'bodies ', 'arrive in pieces.'),
  '/continue': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /things/1\r\nContent-Length: 2\r\n\r\nok',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
  '/latin1': 'HTTP/1.1 200 Caf\xe9\r\nX-Note: na\xefve \xa9 2026\r\nContent-Length: 0\r\n\r\n',
  '/broken': 'HTTP/1.1 2OO OK\r\n\r\n',
};

// The server writes each response in small pieces to show incremental parsing.
const server = net.createServer((sock) => {
  let pending = '';
  sock.on('data', (d) => {
    pending += d.toString('latin1');
    let end;
    while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
      const path = pending.slice(0, end).split(' ')[1];
      pending = pending.slice(end + 4);
      const bytes = enc(routes[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      for (let i = 0; i < bytes.length; i += 16) sock.write(bytes.subarray(i, i + 16));
    }
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();
console.log(`httpwire demo: the WASM core (${getWasmParser().build} build) reading responses from 127.0.0.1:${port}\n`);

const sock = net.connect(port, '127.0.0.1');
await once(sock, 'connect');
const buf = new ReceiveBuffer();
const waiters = [];
let eof = false;
sock.on('data', (d) => {
  buf.push(d);
  waiters.splice(0).forEach((w) => w());
});
sock.on('end', () => {
  eof = true;
  waiters.splice(0).forEach((w) => w());
});
const more = () => (eof ? Promise.resolve() : new Promise((r) => waiters.push(r)));

async function request(method, path) {
  sock.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept-Encoding: identity\r\n\r\n`);
  const parser = new HeadParser();
  let head = null;
  let reads = 0;
  const interim = [];
  try {
    for (;;) {
      head = parser.execute(buf.view(), eof, method === 'HEAD');
      if (head && head.status === 100) {
        interim.push(`  (skipped an interim ${head.status} ${head.reason}, as http.client does)`);
        buf.consume(head.headLength);
        continue;
      }
      if (head) break;
      await more();
      reads++;
    }
    buf.consume(head.headLength);
    console.log(`${method} ${path} -> ${head.status} ${head.reason} (HTTP/${head.version / 10}) after ${reads} socket reads`);
    interim.forEach((line) => console.log(line));
    for (const [name, value] of head.headers.toArray()) console.log(`  ${name}: ${value}`);
    const body = bodyReaderFor(head);
    const pieces = [];
    while (!body.done) {
      const piece = body.next(buf, 1 << 20, eof);
      if (piece.length) pieces.push(Buffer.from(piece));
      else if (!body.done) await more();
    }
    const text = Buffer.concat(pieces).toString('latin1');
    console.log(`  body (${head.chunked ? 'chunked, ' : ''}${text.length} bytes): ${JSON.stringify(text)}\n`);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    console.log(`${method} ${path} -> ${e.pythonName}: ${e.message} (at byte ${e.offset})\n`);
  }
}

for (const [method, path] of [
  ['GET', '/hello'],
  ['GET', '/chunked'],
  ['POST', '/continue'],
  ['HEAD', '/head'],
  ['GET', '/latin1'],
  ['GET', '/broken'],
]) {
  await request(method, path);
}
sock.destroy();
server.close();
