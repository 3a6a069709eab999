import { createServer, type Server, type Socket } from 'node:net';
import { UsageError, type Parsed } from './args';
import { openAttach, writeTo, type StreamTarget } from './attach-stream';
import type { Client } from './http';
import { resolveId } from './workspace-api';

const USAGE = 'usage: workbay port-forward <workspace> LOCAL:REMOTE [LOCAL:REMOTE ...]\n'
  + '  listens on 127.0.0.1:LOCAL and forwards each connection to port REMOTE on the workspace\'s loopback';

interface Mapping { local: number; remote: number }

function parseMapping(text: string): Mapping {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text) ?? /^(\d{1,5})$/.exec(text);
  const local = Number(m?.[1]);
  const remote = Number(m?.[2] ?? m?.[1]);
  if (!m || local < 1 || local > 65_535 || remote < 1 || remote > 65_535) throw new UsageError(`"${text}" is not LOCAL:REMOTE (ports 1-65535)\n${USAGE}`);
  return { local, remote };
}

/** One TCP connection forwarded through its own attach stream (a forwarder process in the workspace). */
async function forward(target: StreamTarget, id: string, remote: number, conn: Socket): Promise<void> {
  conn.pause();
  let stream;
  try {
    stream = await openAttach(target, id, { type: 'start', mode: 'port', port: remote }, {
      stdout: writeTo(conn),
      stderr: writeTo(process.stderr),
    });
  } catch (err) {
    process.stderr.write(`workbay: cannot forward to port ${remote}: ${(err as Error).message}\n`);
    conn.destroy();
    return;
  }
  conn.on('data', (d: Buffer) => stream.write(d));
  conn.once('end', () => stream.eof());
  conn.once('close', () => stream.close());
  conn.on('error', () => stream.close());
  conn.resume();
  try {
    await stream.exit;
  } catch { /* the connection simply ends */ }
  conn.end();
}

/**
 * `workbay port-forward <ws> LOCAL:REMOTE`: a local listener on loopback; every connection runs a
 * small forwarder (nc, socat or bash /dev/tcp) in the workspace over the attach stream, so the
 * workspace needs no published ports and the user no engine access. Runs until interrupted.
 */
export async function portForwardCommand(client: Client, target: StreamTarget, args: string[], _flags: Parsed): Promise<number> {
  const [ref, ...specs] = args;
  if (!ref || !specs.length) throw new UsageError(USAGE);
  const mappings = specs.map(parseMapping);
  const id = await resolveId(client, ref);
  const servers: Server[] = [];
  const open = new Set<Socket>();
  for (const m of mappings) {
    const server = createServer((conn) => {
      open.add(conn);
      conn.once('close', () => open.delete(conn));
      void forward(target, id, m.remote, conn);
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', (err) => fail(new Error(`cannot listen on 127.0.0.1:${m.local}: ${err.message}`)));
      server.listen(m.local, '127.0.0.1', () => ok());
    });
    servers.push(server);
    process.stdout.write(`forwarding 127.0.0.1:${m.local} -> ${ref}:${m.remote}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const s of servers) s.close();
  for (const c of open) c.destroy();
  return 0;
}
