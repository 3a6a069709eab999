import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, verified (or not) with the `standardwebhooks` reference library. */
export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  payload?: { type: string; timestamp: string; data: Record<string, any> };
  /** Secrets (by label) that verified it. */
  verifiedBy: string[];
  answered: number;
}

/**
 * A Standard Webhooks receiver on 127.0.0.1. Each path answers with the status set for it (200 by
 * default); every request is verified against every secret it was told about. `stop` closes the port
 * (connection refused), `start` listens on the same port again.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly secrets = new Map<string, string>();
  readonly status = new Map<string, number>();
  private server?: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = { 'webhook-id': String(req.headers['webhook-id'] ?? ''), 'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''), 'webhook-signature': String(req.headers['webhook-signature'] ?? '') };
        const verifiedBy = [...this.secrets].filter(([, secret]) => {
          try {
            new Webhook(secret).verify(body, headers);
            return true;
          } catch {
            return false;
          }
        }).map(([label]) => label);
        const path = req.url ?? '/';
        const answered = this.status.get(path) ?? 200;
        let payload: Received['payload'];
        try { payload = JSON.parse(body); } catch { /* recorded as is */ }
        this.received.push({ path, id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signatures: headers['webhook-signature'].split(' ').filter(Boolean), body, payload, verifiedBy, answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'not now');
      });
    });
    await new Promise<void>((ok) => this.server!.listen(this.port, '127.0.0.1', () => ok()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }

  /** Deliveries answered 2xx on `path`, optionally for one workspace. */
  accepted(path: string, workspaceId?: string): Received[] {
    return this.received.filter((r) => r.path === path && r.answered < 300 && (!workspaceId || r.payload?.data.workspace?.id === workspaceId));
  }
}
