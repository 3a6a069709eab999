import type Docker from 'dockerode';
import { imageReferenceProblem } from '../../config/image-ref';
import { configError, WorkbayError } from '../../errors';
import type { Progress } from '../driver';
import { engine, isMissing, translate } from './errors';

interface StreamEvent { status?: string; stream?: string; error?: string; errorDetail?: { message?: string }; id?: string }

/** Reads a pull/build progress stream to its end; resolves with every event, rejects on transport errors. */
function follow(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (e: StreamEvent) => void): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: StreamEvent[]) => (err ? reject(err) : resolve(out ?? [])), onEvent);
  });
}

/**
 * True when the image is on the engine. A value outside the reference grammar never reaches it: the
 * engine answers such paths (`/images/./x/json`) with a redirect that docker-modem follows with an
 * unhandled request, which took the whole process down.
 */
export async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  return !!(await inspectImage(docker, ref));
}

/** The engine's inspect of an image, undefined when it is not on the engine (see hasImage for the reference check). */
export async function inspectImage(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  const problem = imageReferenceProblem(ref);
  if (problem) throw configError(`image: ${problem.message}`, [{ field: 'image', message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) }]);
  try {
    return await docker.getImage(ref).inspect();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw translate(err, `inspecting image ${ref}`);
  }
}

/** The registry host of an image reference, as the engine reads it (`docker.io` when it names none). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first.toLowerCase() : 'docker.io';
}

/** Credentials of a registry host for a pull (the provider's `workbay.registries`); undefined = anonymous. */
export type PullCredentials = (registry: string) => Promise<{ username: string; password: string } | undefined>;

/**
 * Makes sure `ref` is on the engine: uses it when present, else pulls it (logged in when `credentials`
 * has a login for its registry) and checks every event for errors. Returns the image's inspect.
 */
export async function ensureImage(docker: Docker, ref: string, progress: Progress, platform?: string, credentials?: PullCredentials): Promise<Docker.ImageInspectInfo> {
  const present = await inspectImage(docker, ref);
  if (present) return present;
  progress({ step: 'pull', message: `pulling ${ref}` });
  let failure: string | undefined;
  const login = await credentials?.(registryOf(ref));
  try {
    const authconfig = login ? { username: login.username, password: login.password, serveraddress: registryOf(ref) } : undefined;
    const stream = await docker.pull(ref, { ...(platform ? { platform } : {}), ...(authconfig ? { authconfig } : {}) });
    const events = await follow(docker, stream, (e) => {
      if (e.error) failure ??= e.errorDetail?.message ?? e.error;
    });
    failure ??= events.find((e) => e.error)?.error;
  } catch (err) {
    const t = translate(err, `pulling ${ref}`);
    if (t.code === 'driver.unreachable') throw t;
    failure = t.message;
  }
  const pulled = failure ? undefined : await inspectImage(docker, ref);
  if (!pulled) {
    throw new WorkbayError('driver.imageUnavailable', `image "${ref}" is not on the engine and could not be pulled: ${failure ?? 'unknown error'}`);
  }
  progress({ step: 'pull', message: `pulled ${ref}` });
  return pulled;
}

/** Builds an image from a context tar. Build output is streamed as progress; a failed step throws with its last lines. */
export async function buildImage(docker: Docker, context: NodeJS.ReadableStream, opts: { tag: string; dockerfile: string; args: Record<string, string>; target?: string; labels: Record<string, string>; platform?: string; noCache?: boolean; pull?: boolean }, progress: Progress): Promise<void> {
  const lines: string[] = [];
  let failure: string | undefined;
  const stream: NodeJS.ReadableStream = await engine('starting a build', () => docker.buildImage(context, {
    t: opts.tag, dockerfile: opts.dockerfile, buildargs: opts.args, labels: opts.labels, rm: true, forcerm: true,
    networkmode: 'host', ...(opts.target ? { target: opts.target } : {}),
    ...(opts.platform ? { platform: opts.platform } : {}), ...(opts.noCache ? { nocache: true } : {}), ...(opts.pull ? { pull: true } : {}),
  }));
  await engine('building', () => follow(docker, stream, (e) => {
    if (e.stream) {
      for (const l of e.stream.split('\n').filter((x) => x.trim())) {
        lines.push(l);
        progress({ step: 'build', message: l.trimEnd() });
      }
    }
    if (e.error) failure ??= e.errorDetail?.message ?? e.error;
  }));
  if (failure) {
    throw new WorkbayError('driver.buildFailed', `Dockerfile build failed: ${failure}\n${lines.slice(-20).join('\n')}`.slice(0, 4000));
  }
}
