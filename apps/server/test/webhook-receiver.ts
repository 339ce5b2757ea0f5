import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request as the receiver saw it. */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  json: any;
  at: number;
}

/** How the receiver answers the next request: a status (and headers), or hold it open. */
export type Answer = { status: number; headers?: Record<string, string> } | 'hold';

/**
 * A real local HTTP receiver on 127.0.0.1: records every request and answers with the
 * queued answers (then 200). `stop()` closes the port (connection refused) and `start()`
 * opens the same port again, to play a receiver that is down for a while.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private answers: Answer[] = [];
  private held: ServerResponse[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Answers for the next requests, in order. */
  answerNext(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Every later request gets this answer until changed (null: back to 200). */
  always: Answer | null = null;

  async start(): Promise<void> {
    const server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const response of this.held.splice(0)) response.destroy();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answers every held request now. */
  release(status = 200): void {
    for (const response of this.held.splice(0)) response.writeHead(status).end('released');
  }

  /** Waits until `predicate` holds for what was received; the error shows what arrived. */
  async until(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out after ${timeoutMs} ms; received ${JSON.stringify(this.received.map((r) => [r.headers['webhook-id'], r.json?.event, r.json?.new_status]))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      this.received.push({ headers, body, json, at: Date.now() });
      const answer = this.answers.shift() ?? this.always ?? { status: 200 };
      if (answer === 'hold') {
        this.held.push(response);
        return;
      }
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.status < 300 ? 'ok' : `answer ${answer.status}`);
    });
  }
}
