import { createServer, type Server } from 'node:http';

/** What the stand-in `buildctl` of the Kubernetes Features tests sent back. */
export interface BuildctlCapture { argv?: string[]; context?: Buffer; dockerfile?: Buffer }

/**
 * A listener on 127.0.0.1 for the busybox `buildctl` stand-in: it posts its argv (one per line)
 * and its context and dockerfile folders as base64 tars, which land in `got` as they arrive.
 */
export async function captureBuildctl(got: BuildctlCapture): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/argv') got.argv = body.toString('utf8').split('\n').slice(0, -1);
      // busybox wget posts a file as a C string, so the tars come base64-encoded.
      if (req.url === '/context') got.context = Buffer.from(body.toString('utf8'), 'base64');
      if (req.url === '/dockerfile') got.dockerfile = Buffer.from(body.toString('utf8'), 'base64');
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}
