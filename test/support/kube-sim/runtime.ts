import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FaultQueue, KubeRequestRecord } from './faults';
import type { Kubelet } from './kubelet';
import type { RestHandlers } from './rest';
import { statusError } from './status';
import type { ObjectStore } from './store';

/** The parts of a running simulator the request handlers share. */
export interface SimRuntime {
  store: ObjectStore;
  rest: RestHandlers;
  kubelet: Kubelet;
  docker: Docker;
  faults: FaultQueue;
  requests: KubeRequestRecord[];
  token: string;
  /** `127.0.0.1:<port>` once listening. */
  address(): string;
  wss: WebSocketServer;
  openResponses: Set<ServerResponse>;
  openSockets: Set<Duplex>;
  openWebSockets: Set<WebSocket>;
}

/**
 * Credentials other than the kubeconfig's bearer token → 401 Unauthorized. A request without any is let in, like the
 * old insecure port: kubectl (clientcmd) never sends credentials to an `http://` server.
 */
export function authenticate(rt: SimRuntime, authorization: string | undefined): void {
  if (authorization !== undefined && authorization !== `Bearer ${rt.token}`) throw statusError(401, 'Unauthorized', 'Unauthorized');
}
