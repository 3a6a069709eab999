export { createApp, MAX_BODY_BYTES, servedRoutes } from './app';
export type { ApiDeps, ApiEnv, Principal } from './context';
export { generateToken, hashToken, tokenHint, tokenRecord, TOKEN_PREFIX } from './tokens';
export type { Problem } from './problem';
