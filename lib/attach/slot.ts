import type { WebSocket } from 'ws';

/** Key under which the upgrade listener hands the route a slot in hono's `c.env`. */
export const ATTACH_SLOT = 'workbayAttachUpgrade';

/**
 * Filled in by the attach route once auth, owner and state checks passed. Lambda never offers one,
 * so the route (and the api bundle) never needs the WebSocket server.
 */
export interface AttachSlot {
  accept?: (sock: WebSocket) => void;
}
