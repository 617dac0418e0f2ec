// The canned-response server of the end-to-end benchmark: node:net on
// 127.0.0.1, run as a child process of bench/e2e/run.mjs so that the client
// processes are measured alone. It reads each request just far enough to
// find its end (head, then Content-Length bytes) and writes a response
// prepared once at start-up. Prints {"port": N} on stdout when listening;
// exits when stdin closes (its parent is gone).
//
//   GET  /100b         Content-Length: 100
//   GET  /chunked/64k  64 KiB as 16 chunks of 4 KiB
//   GET  /16m          Content-Length: 16 MiB (one write)
//   POST /post         the body is read and dropped; answers "ok"
//   GET  /1g           Content-Length: 1 GiB, written 1 MiB at a time as the client drains it
import * as net from 'node:net';
import { BODY_BYTE } from './workloads.mjs';

const DATE = 'Mon, 30 Nov 2026 00:00:00 GMT';
const head = (extra) =>
  Buffer.from(`HTTP/1.1 200 OK\r\nServer: canned\r\nDate: ${DATE}\r\nContent-Type: application/octet-stream\r\n${extra}\r\n`, 'latin1');
const filled = (n) => Buffer.alloc(n, BODY_BYTE);

function chunked(total, size) {
  const parts = [head('Transfer-Encoding: chunked\r\n')];
  for (let at = 0; at < total; at += size) {
    const n = Math.min(size, total - at);
    parts.push(Buffer.from(`${n.toString(16)}\r\n`, 'latin1'), filled(n), Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

const GIB = 1 << 30;
const STREAM_PIECE = filled(1 << 20);
const CANNED = new Map([
  ['GET /100b', Buffer.concat([head('Content-Length: 100\r\n'), filled(100)])],
  ['GET /chunked/64k', chunked(65536, 4096)],
  ['GET /16m', Buffer.concat([head(`Content-Length: ${16 << 20}\r\n`), filled(16 << 20)])],
  ['POST /post', Buffer.concat([head('Content-Length: 2\r\n'), Buffer.from('ok')])],
]);
const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', 'latin1');

/** Writes 1 GiB in 1 MiB pieces, waiting for 'drain' (the client's pace). */
function streamGiB(socket, done) {
  socket.write(head(`Content-Length: ${GIB}\r\n`));
  let left = GIB / STREAM_PIECE.length;
  const pump = () => {
    while (left > 0) {
      left--;
      if (!socket.write(STREAM_PIECE)) return void socket.once('drain', pump);
    }
    done();
  };
  pump();
}

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  let pending = null; // bytes of an incomplete request head
  let bodyLeft = 0; // request body bytes still to skip
  let answer = null; // the response owed once the body is in
  let streaming = false;
  const onData = (chunk) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    for (;;) {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, buf.length);
        bodyLeft -= n;
        buf = buf.subarray(n);
        if (bodyLeft > 0) return;
      }
      if (answer) {
        const a = answer;
        answer = null;
        if (a === 'GET /1g') {
          streaming = true;
          socket.pause();
          return streamGiB(socket, () => {
            streaming = false;
            socket.resume();
          });
        }
        socket.write(CANNED.get(a) ?? NOT_FOUND);
      }
      if (buf.length === 0 || streaming) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 65536) return void socket.destroy();
        pending = Buffer.from(buf);
        return;
      }
      const text = buf.subarray(0, end).toString('latin1');
      const line = text.slice(0, text.indexOf('\r\n') >>> 0);
      const [method, path] = line.split(' ');
      const cl = /\r\ncontent-length:[ \t]*(\d+)/i.exec(text);
      bodyLeft = cl ? Number(cl[1]) : 0;
      answer = `${method} ${path}`;
      buf = buf.subarray(end + 4);
    }
  };
  socket.on('data', onData);
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
