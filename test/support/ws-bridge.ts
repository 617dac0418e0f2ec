// A WebSocket-to-TCP bridge for the browser tests: a page cannot open TCP,
// but it can open a WebSocket (WebSocketStream gives a WHATWG stream pair),
// and this bridge relays each WebSocket's binary messages to a TCP
// connection on 127.0.0.1 and back. `ws://127.0.0.1:PORT/?port=N` connects
// to 127.0.0.1:N; nothing else is reachable through it.
import * as net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsBridge {
  port: number;
  /** TCP connections opened so far. */
  connections(): number;
  stop(): Promise<void>;
}

function relay(ws: WebSocket, tcp: net.Socket): void {
  ws.on('message', (data: Buffer) => {
    // The WebSocket's backpressure is TCP's: stop reading the WebSocket
    // while the TCP side is full.
    if (!tcp.write(data)) {
      ws.pause();
      tcp.once('drain', () => ws.resume());
    }
  });
  // And TCP's backpressure is the WebSocket's: stop reading TCP while more
  // than a few messages wait to be flushed to the browser.
  let unsent = 0;
  tcp.on('data', (chunk) => {
    unsent++;
    if (unsent > 8) tcp.pause();
    ws.send(chunk, { binary: true }, () => {
      unsent--;
      if (unsent <= 2 && tcp.isPaused()) tcp.resume();
    });
  });
  tcp.on('end', () => ws.close(1000));
  tcp.on('error', () => ws.close(1011));
  ws.on('close', () => tcp.destroy());
  ws.on('error', () => tcp.destroy());
}

export function startWsBridge(): Promise<WsBridge> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws, req) => {
    const target = Number(new URL(req.url ?? '/', 'ws://127.0.0.1').searchParams.get('port'));
    if (!Number.isInteger(target) || target < 1 || target > 65535) {
      ws.close(1008, 'port');
      return;
    }
    ws.pause();
    const tcp = net.connect({ host: '127.0.0.1', port: target }, () => ws.resume());
    count++;
    sockets.add(tcp);
    tcp.on('close', () => sockets.delete(tcp));
    relay(ws, tcp);
  });
  return new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      const address = wss.address();
      if (address === null || typeof address === 'string') return reject(new Error('unexpected address'));
      resolve({
        port: address.port,
        connections: () => count,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            for (const c of wss.clients) c.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
