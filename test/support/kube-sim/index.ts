/**
 * kube-sim: a Kubernetes API server stand-in for tests. It speaks the real REST, watch and exec (WebSocket
 * v4/v5.channel.k8s.io and SPDY/3.1) protocols, validates bodies against the official schemas and runs pods as
 * real containers on the test Docker engine.
 */
export { startKubeSim } from './sim';
export type { KubeSim, KubeSimControls, KubeSimOptions } from './sim';
export type { FaultRule, KubeRequestRecord, KubeVerb } from './faults';
export type { KubeObject, ObjectMeta } from './store';
export type { StatusBody, StatusCause } from './status';
export { readWatch, statusOf, until } from './testing';
export type { WireEvent } from './testing';
