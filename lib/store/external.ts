import { LOCAL_CREDENTIALS, type StoreOptions } from './client';

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/;

/** True for an endpoint on this machine (DynamoDB Local, dynalite started by someone else). */
export function isLoopbackEndpoint(endpoint: string): boolean {
  return LOOPBACK.test(endpoint);
}

/**
 * Store options for an external DynamoDB (`WORKBAY_DYNAMODB_ENDPOINT`) in embedded mode. A loopback
 * endpoint gets throwaway static credentials, so the operator's AWS credentials never go to a local
 * process; any other endpoint is signed with the AWS default credential chain (environment, profile).
 */
export function externalStoreOptions(o: { tableName: string; endpoint: string; region?: string }): StoreOptions {
  return {
    tableName: o.tableName, endpoint: o.endpoint, region: o.region ?? 'us-east-1',
    ...(isLoopbackEndpoint(o.endpoint) ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
}
