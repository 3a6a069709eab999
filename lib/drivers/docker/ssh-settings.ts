import { parseDuration } from '../../config/duration';
import { WorkbayError } from '../../errors';
import { isSecretRef, type SecretResolver } from '../../secrets';
import { DEFAULT_INSTALL_COMMAND, DEFAULT_INSTALL_TIMEOUT_MS } from './install';
import { isPodmanPath } from './podman';
import type { SshSettings } from './target';

/**
 * The `agent.docker.env` keys of an `ssh://` engine (workbay's; the docker CLI ignores them):
 * DOCKER_SSH_KEY (secret reference, required), DOCKER_SSH_KEY_PASSPHRASE (secret reference),
 * DOCKER_SSH_KNOWN_HOSTS (known_hosts lines, literal or a reference), DOCKER_SSH_SOCKET,
 * DOCKER_INSTALL_COMMAND, DOCKER_INSTALL_TIMEOUT.
 */
export const SSH_ENV_KEYS = ['DOCKER_SSH_KEY', 'DOCKER_SSH_KEY_PASSPHRASE', 'DOCKER_SSH_KNOWN_HOSTS', 'DOCKER_SSH_SOCKET', 'DOCKER_INSTALL_COMMAND', 'DOCKER_INSTALL_TIMEOUT'] as const;

const field = (k: string) => `agent.docker.env.${k}`;

/** Resolves what an `ssh://` target needs from the provider's env; secrets are fetched here, at use. */
export async function resolveSshSettings(env: Record<string, string>, secrets: SecretResolver, cliPath: string): Promise<SshSettings> {
  if (!env.DOCKER_SSH_KEY) {
    throw new WorkbayError('config.invalid', 'an ssh:// DOCKER_HOST needs DOCKER_SSH_KEY, a secret reference to the private key', {
      errors: [{ field: field('DOCKER_SSH_KEY'), message: 'set it to file:/path, env:NAME or aws-sm:name; workbay never uses an SSH agent' }],
    });
  }
  const privateKey = await secrets(env.DOCKER_SSH_KEY, field('DOCKER_SSH_KEY'));
  const passphrase = env.DOCKER_SSH_KEY_PASSPHRASE ? await secrets(env.DOCKER_SSH_KEY_PASSPHRASE, field('DOCKER_SSH_KEY_PASSPHRASE')) : undefined;
  // Public keys are not secret: literal known_hosts lines are fine, a reference is too.
  const known = env.DOCKER_SSH_KNOWN_HOSTS ?? '';
  const knownHosts = isSecretRef(known) ? await secrets(known, field('DOCKER_SSH_KNOWN_HOSTS')) : known;
  const socket = env.DOCKER_SSH_SOCKET || (isPodmanPath(cliPath) ? '/run/podman/podman.sock' : '/var/run/docker.sock');
  if (!socket.startsWith('/')) {
    throw new WorkbayError('config.invalid', 'DOCKER_SSH_SOCKET is the engine socket path on the SSH host', { errors: [{ field: field('DOCKER_SSH_SOCKET'), message: 'expected an absolute path such as /var/run/docker.sock' }] });
  }
  const timeoutMs = env.DOCKER_INSTALL_TIMEOUT ? parseDuration(env.DOCKER_INSTALL_TIMEOUT, field('DOCKER_INSTALL_TIMEOUT')) * 1000 : DEFAULT_INSTALL_TIMEOUT_MS;
  return {
    privateKey, knownHosts, socket,
    ...(passphrase ? { passphrase } : {}),
    installCommand: { command: env.DOCKER_INSTALL_COMMAND || DEFAULT_INSTALL_COMMAND, timeoutMs: timeoutMs || DEFAULT_INSTALL_TIMEOUT_MS },
  };
}
