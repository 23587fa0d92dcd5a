import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

/** A misbehaving OTLP peer on 127.0.0.1; `requests` counts what reached it. */
export interface FaultServer {
  readonly endpoint: string;
  readonly requests: number;
  stop(): Promise<void>;
}

async function listen(server: Server, cleanup: () => void, counter: { requests: number }): Promise<FaultServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return counter.requests;
    },
    async stop() {
      cleanup();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads the whole request, then answers 200 with `Content-Length: 1000000` and trickles one byte every 0.5 s. */
export async function startTricklingServer(): Promise<FaultServer> {
  const counter = { requests: 0 };
  const trickles = new Set<ServerResponse>();
  const timer = setInterval(() => trickles.forEach((res) => res.write('x')), 500);
  const server = createServer((req, res) => {
    counter.requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
      trickles.add(res);
      res.on('close', () => trickles.delete(res));
    });
  });
  return listen(server, () => clearInterval(timer), counter);
}

/**
 * Answers `200` with headers as soon as the first bytes of a request arrive, reads nothing more, then resets
 * the connection (RST) before its own answer is complete, as a broken proxy does while a large body uploads. A raw TCP server, so no HTTP parser
 * drains the body behind the test's back (the unread bytes are what makes the kernel send an RST).
 */
export async function startEarlyResetServer(): Promise<FaultServer> {
  const counter = { requests: 0 };
  const server = createNetServer((socket) => {
    socket.on('error', () => {}); // the reset is ours; nothing to report
    socket.once('data', () => {
      counter.requests++;
      socket.pause();
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{', () => {
        setTimeout(() => socket.resetAndDestroy(), 1);
      });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return counter.requests;
    },
    async stop() {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
