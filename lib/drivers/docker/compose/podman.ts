import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import { engine } from '../errors';

/** A client's look-up: its promise, and the answer once it came. */
interface Asked { answer: Promise<boolean>; podman?: boolean }
const asked = new WeakMap<Docker, Asked>();

/** What isPodmanEngine learnt of `docker`, without an engine call; undefined when it has not asked (yet). */
export const knownPodmanEngine = (docker: Docker): boolean | undefined => asked.get(docker)?.podman;

/** True when the engine behind `docker` is Podman's Docker-compatible service (asked once per client). */
export function isPodmanEngine(docker: Docker): Promise<boolean> {
  const known = asked.get(docker);
  if (known) return known.answer;
  const entry: Asked = {
    answer: engine('reading the engine version', () => docker.version()).then((v) => {
      entry.podman = (v.Components ?? []).some((c) => /podman/i.test(c.Name));
      return entry.podman;
    }),
  };
  // A failed look-up is asked again next time rather than remembered.
  entry.answer.catch(() => asked.delete(docker));
  asked.set(docker, entry);
  return entry.answer;
}

/** One call to Podman's own API (`/libpod/…`), which the Docker API has no counterpart for. */
function libpod<T>(docker: Docker, method: 'GET' | 'POST', path: string): Promise<T> {
  // Podman routes /libpod/ only under a version; a client with its own version gets it prefixed by the modem.
  const prefix = (docker.modem as { version?: string }).version ? '' : '/v4.0.0';
  return new Promise((resolve, reject) => {
    docker.modem.dial({ path: `${prefix}/libpod${path}`, method, statusCodes: { 200: true, 404: 'no such object', 409: 'conflict', 500: 'server error' } },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as T)));
  });
}

/**
 * Runs a container's healthcheck once (`podman healthcheck run`). Podman schedules healthchecks with
 * systemd timers; where there is no systemd (a container, most CI) they never run on their own and
 * the status stays `starting`, so a dependency wait runs them at the healthcheck's interval itself.
 * The run updates the container's health and logs a `health_status` event as a scheduled one does.
 * Failures are not reported: the next inspect tells what the container's health is.
 */
export async function runPodmanHealthcheck(docker: Docker, id: string): Promise<void> {
  await libpod(docker, 'GET', `/containers/${encodeURIComponent(id)}/healthcheck`).catch(() => undefined);
}

/**
 * Refuses project networks on which Podman serves no DNS (`dns_enabled: false`: the CNI backend
 * without the dnsname plugin, or a network made with DNS disabled): services there could not reach
 * each other by name or alias, which is what a Compose network is for. Only networks that two or
 * more of the project's services join are checked.
 *
 * @throws WorkbayError `driver.failed` naming the network, its services and what to install.
 */
export async function assertPodmanDns(docker: Docker, networks: Map<string, string[]>): Promise<void> {
  for (const [name, services] of networks) {
    if (services.length < 2) continue;
    const net = await engine(`inspecting network ${name}`, () => libpod<{ dns_enabled?: boolean }>(docker, 'GET', `/networks/${encodeURIComponent(name)}/json`));
    if (net.dns_enabled !== false) continue;
    throw new WorkbayError('driver.failed', `Podman serves no DNS on the network ${name}, so the services ${services.join(', ')} could not reach each other by name; `
      + 'install the dnsname CNI plugin (Debian: golang-github-containernetworking-plugin-dnsname) or use the netavark backend with aardvark-dns, then delete and create the workspace');
  }
}
