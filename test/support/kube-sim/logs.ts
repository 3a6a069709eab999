import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Kubelet } from './kubelet';
import { queryBool, queryInt } from './query';
import { badRequest } from './status';

function demuxAll(buf: Buffer, tty: boolean): Buffer {
  if (tty) return buf;
  const out: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const size = buf.readUInt32BE(off + 4);
    out.push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  return Buffer.concat(out);
}

/** Serves `pods/<name>/log`: the container's real Docker logs (container, tailLines, sinceSeconds, timestamps, previous, follow, limitBytes). */
export async function serveLogs(res: ServerResponse, docker: Docker, kubelet: Kubelet, namespace: string, pod: string, query: URLSearchParams): Promise<void> {
  const { runtime } = kubelet.resolve(namespace, pod, query.get('container'));
  const previous = queryBool(query, 'previous');
  const id = previous ? runtime.previousContainerId : runtime.containerId;
  if (!id) {
    if (previous) throw badRequest(`previous terminated container "${runtime.name}" in pod "${pod}" not found`);
    throw badRequest(`container "${runtime.name}" in pod "${pod}" is waiting to start: ${runtime.state.waiting?.reason ?? 'ContainerCreating'}`);
  }
  const container = docker.getContainer(id);
  const info = await container.inspect().catch(() => undefined);
  if (!info) throw badRequest(`container "${runtime.name}" in pod "${pod}" is not available`);
  const tty = !!info.Config.Tty;
  const tail = queryInt(query, 'tailLines');
  const since = queryInt(query, 'sinceSeconds');
  const opts = {
    stdout: true, stderr: true, timestamps: queryBool(query, 'timestamps'),
    ...(tail !== undefined ? { tail } : {}),
    ...(since !== undefined ? { since: Math.floor(Date.now() / 1000) - since } : {}),
  };
  const limit = queryInt(query, 'limitBytes') ?? Infinity;
  if (!queryBool(query, 'follow')) {
    const raw = (await container.logs({ ...opts, follow: false })) as unknown as Buffer;
    const body = demuxAll(Buffer.from(raw), tty).subarray(0, limit === Infinity ? undefined : limit);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  const stream = (await container.logs({ ...opts, follow: true })) as unknown as Readable;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let sent = 0;
  const write = (d: Buffer): void => {
    if (sent >= limit) return;
    const part = d.subarray(0, Math.max(0, limit - sent));
    sent += part.length;
    res.write(part);
    if (sent >= limit) stream.destroy();
  };
  if (tty) stream.on('data', write);
  else docker.modem.demuxStream(stream, { write } as unknown as NodeJS.WritableStream, { write } as unknown as NodeJS.WritableStream);
  stream.on('end', () => res.end());
  stream.on('close', () => res.end());
  res.on('close', () => stream.destroy());
}
