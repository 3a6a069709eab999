/** Embedded mode entry point: `npm start`. Wiring only. */
import { startEmbedded } from '../lib/embedded';
import { readSettings } from '../lib/settings';

// The SDK warns about Node 20 on every start; stack-notes explains why we stay on 20 for now.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);

// Defence in depth: one workspace's stray failure (an engine client emitting an unhandled 'error')
// must not take every tenant's API down mid-request. The causes are fixed where they arise; what
// still gets here is logged as one line, and a record that keeps failing is given up by the
// reconciler's pass count (lib/workspaces/poison.ts).
const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
process.on('unhandledRejection', (err) => log({ level: 'error', msg: 'unhandled rejection', error: describe(err) }));
process.on('uncaughtException', (err, origin) => log({ level: 'error', msg: 'uncaught exception', origin, error: describe(err) }));

try {
  const settings = readSettings(process.env);
  const wb = await startEmbedded(settings, log, process.env);
  process.stdout.write(`workbay embedded control plane listening on ${wb.url}\n`);
  process.stdout.write(`data dir: ${settings.dataDir}\n`);
  if (wb.admin.generated) {
    process.stdout.write(`admin token (shown once, also stored in ${wb.admin.file}):\n${wb.admin.generated}\n`);
  } else if (wb.admin.file) {
    process.stdout.write(`admin token: see ${wb.admin.file}\n`);
  }
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await wb.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`workbay: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
