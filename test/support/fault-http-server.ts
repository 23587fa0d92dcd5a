import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request as the server saw it: when its body was complete, and the body. */
export interface SeenRequest {
  readonly at: number;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** How the server answers a request whose body it has read; it may also never answer. */
export type FaultHandler = (request: SeenRequest, response: ServerResponse, index: number) => void;

/**
 * A `node:http` server on 127.0.0.1 that injects faults, and counts what a client does to it: requests,
 * bytes received, connections open now and at most. `close()` destroys every connection and timer.
 */
export class FaultHttpServer {
  readonly requests: SeenRequest[] = [];
  bytesReceived = 0;
  connectionsTotal = 0;
  maxOpenConnections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  static async start(handler: FaultHandler): Promise<FaultHttpServer> {
    let self: FaultHttpServer | null = null;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        self!.bytesReceived += chunk.length;
        // Keep at most 1 MiB of each body: enough to read lines back, bounded whatever the client sends.
        if (chunks.reduce((n, c) => n + c.length, 0) < 1 << 20) chunks.push(chunk);
      });
      req.on('end', () => {
        const seen: SeenRequest = { at: Date.now(), url: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') };
        self!.requests.push(seen);
        handler(seen, res, self!.requests.length - 1);
      });
    });
    server.on('connection', (socket: Socket) => {
      const s = self!;
      s.sockets.add(socket);
      s.connectionsTotal++;
      s.maxOpenConnections = Math.max(s.maxOpenConnections, s.sockets.size);
      socket.on('close', () => s.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    self = new FaultHttpServer(server, typeof address === 'object' && address ? address.port : 0);
    return self;
  }

  /** Writes one byte of `response` every `everyMs`, forever (until close): an answer that never completes. */
  trickle(response: ServerResponse, everyMs: number): void {
    response.writeHead(200, { 'Content-Length': '1000000' });
    const timer = setInterval(() => {
      if (response.destroyed) {
        clearInterval(timer);
        this.timers.delete(timer);
      } else {
        response.write('x');
      }
    }, everyMs);
    this.timers.add(timer);
  }

  /** Resolves once the server has seen every connection close, or rejects after `timeoutMs`. */
  async waitForNoConnections(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.sockets.size} connection(s) still open after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Lines received in all requests (bodies are newline-separated lines). */
  lines(): string[] {
    return this.requests.flatMap((r) => r.body.split('\n').filter((l) => l !== ''));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
