import { show, type FieldPath } from '../config/issues';
import { isSecretRef } from '../secrets/references';
import { REFERENCE_HINT } from '../secrets/inline';

/**
 * Credentials for one registry, as the provider file writes them: the password (or token) is always
 * a secret reference (`env:`, `file:`, `aws-sm:`), fetched when the registry is first called; the
 * username may be a literal or a reference.
 */
export interface RegistryLogin {
  username: string;
  password: string;
}

type Add = (path: FieldPath, message: string, hint?: string) => void;

/** At most this many registries per provider: each is a host the control plane will send a secret to. */
export const MAX_REGISTRIES = 20;
/** `host`, `host:port`, `[v6]:port`, lowercase, as the first part of an OCI reference names it. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;
const KEYS = ['username', 'password'];
/** Names Docker clients use for Docker Hub: references say `docker.io`, the registry API is `registry-1.docker.io`, old logins `index.docker.io`. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The one comparison key of a registry host, used both for `workbay.registries` entries and for the
 * host a reference or pull names: lowercase, surrounding space dropped, and Docker Hub's aliases as
 * `docker.io`. Ports stay part of the host (`registry:5000` is another registry than `registry`).
 */
export function registryHostKey(host: string): string {
  const h = host.trim().toLowerCase();
  return DOCKER_HUB.has(h) ? 'docker.io' : h;
}

/** The login a provider gives for `host` (any alias, any case) and the key it was written under; undefined when none. */
export function registryLogin(registries: Record<string, RegistryLogin> | undefined, host: string): { key: string; login: RegistryLogin } | undefined {
  if (!registries) return undefined;
  const want = registryHostKey(host);
  for (const [key, login] of Object.entries(registries)) if (registryHostKey(key) === want) return { key, login };
  return undefined;
}

/**
 * Reads `workbay.registries` (host -> {username, password}); problems are added with their path (and
 * so line and column). An inline password is refused without being echoed.
 */
export function parseRegistries(value: unknown, add: Add): Record<string, RegistryLogin> {
  const out: Record<string, RegistryLogin> = {};
  const seen = new Map<string, string>();
  if (value === undefined || value === null) return out;
  const at = (...rest: string[]): FieldPath => ['workbay', 'registries', ...rest];
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(at(), `expected a mapping of registry hosts to {username, password}, got ${show(value)}`, 'e.g. registries: { "registry.example.com": { username: robot, password: "env:REG_PASSWORD" } }');
    return out;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_REGISTRIES) add(at(), `names ${entries.length} registries; at most ${MAX_REGISTRIES} are accepted`);
  for (const [rawHost, login] of entries.slice(0, MAX_REGISTRIES)) {
    const host = rawHost.trim().toLowerCase();
    if (!HOST.test(host) || /:\/\/|\//.test(rawHost)) {
      add(at(rawHost), `${show(rawHost)} is not a registry host`, 'Write the host as Feature references name it, without a scheme or path: ghcr.io, registry.example.com:5000.');
      continue;
    }
    if (!login || typeof login !== 'object' || Array.isArray(login)) {
      add(at(rawHost), 'expected a mapping with username and password');
      continue;
    }
    const l = login as Record<string, unknown>;
    for (const key of Object.keys(l)) if (!KEYS.includes(key)) add(at(rawHost, key), `unknown key "${key}"`, 'Known keys: username, password.');
    const username = typeof l.username === 'string' ? l.username.trim() : '';
    if (!username || username.length > 256 || /[:\s]/.test(username) && !isSecretRef(username)) {
      add(at(rawHost, 'username'), 'expected a user name (at most 256 characters, no ":" or spaces) or a secret reference');
    }
    const password = typeof l.password === 'string' ? l.password.trim() : '';
    // Never shown: whatever was written there may be the password itself.
    if (!isSecretRef(password) || !/^[a-z-]+:\S/.test(password) || password.length > 2048) {
      add(at(rawHost, 'password'), 'must be a secret reference (env:NAME, file:/path or aws-sm:name); the value written here is not one (not shown)', REFERENCE_HINT);
      continue;
    }
    const key = registryHostKey(host);
    const first = seen.get(key);
    if (first !== undefined) add(at(rawHost), first === host ? `${host} is listed twice` : `${host} and ${first} are the same registry (Docker Hub's names are one host); list it once`);
    else seen.set(key, host);
    out[host] = { username, password };
  }
  return out;
}
