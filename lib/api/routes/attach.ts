import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
// Not the folder's index: that would load the WebSocket server (ws) into the Lambda bundle.
import { AttachBroker } from '../../attach/broker';
import { bridgeSession } from '../../attach/bridge';
import { ATTACH_PROTOCOL } from '../../attach/protocol';
import { ATTACH_SLOT, type AttachSlot } from '../../attach/slot';
import { WorkbayError } from '../../errors';
import type { DriverFor } from '../../workspaces';
import type { ApiDeps, ApiEnv } from '../context';
import { IdParam, problemResponses } from '../schemas';

const attach = createRoute({
  method: 'get', path: '/v1/workspaces/{id}/attach', tags: ['workspaces'], security: [{ bearer: [] }],
  summary: 'Interactive attach stream (WebSocket)',
  description: `A WebSocket upgrade (subprotocol \`${ATTACH_PROTOCOL}\`) to an interactive exec in the workspace: `
    + 'binary frames with a 1-byte channel prefix (0 stdin, 1 stdout, 2 stderr), JSON text frames for start, resize, eof and exit. '
    + 'The token goes in the Authorization header or as a `bearer.<token>` subprotocol, never in the URL. '
    + 'Only long-lived deployments (embedded mode) hold the stream; on AWS Lambda this answers 400 (docs/adr/0013-brokered-attach.md).',
  request: { params: IdParam },
  responses: { 101: { description: 'switching to the attach stream' }, ...problemResponses(400, 404, 409, 502) },
});

/**
 * GET /v1/workspaces/{id}/attach. The auth middleware has already run; this checks owner and state and,
 * when the node upgrade listener (lib/attach/upgrade.ts) offered a slot, accepts the WebSocket.
 */
export function attachRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps & { driverFor?: DriverFor }): void {
  const broker = deps.driverFor ? new AttachBroker(deps.store, deps.workspaces, deps.driverFor, { log: deps.log }) : undefined;
  app.openapi(attach, async (c) => {
    const slot = (c.env as Record<string, unknown> | undefined)?.[ATTACH_SLOT] as AttachSlot | undefined;
    if (!broker) throw new WorkbayError('request.invalid', 'this deployment cannot attach to workspaces');
    const ticket = await broker.ticket(c.get('principal'), c.req.valid('param').id);
    if (!slot) {
      throw new WorkbayError('request.invalid', 'attach is a WebSocket endpoint: send "Upgrade: websocket" to a long-lived deployment (embedded mode); AWS Lambda cannot hold the stream open (see docs/adr/0013-brokered-attach.md)');
    }
    slot.accept = (sock) => bridgeSession(sock, broker, ticket, deps.log);
    return c.body(null, 204);
  });
}
