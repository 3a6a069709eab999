import { PassThrough } from 'node:stream';

/** Output kept per stream; the rest is dropped with a marker (a runaway command must not eat memory). */
export const MAX_OUTPUT = 1024 * 1024;

/** A writable sink that keeps up to MAX_OUTPUT of text and counts what it dropped. */
export function outputCollector(): { stream: PassThrough; value: () => string } {
  let text = '';
  let dropped = 0;
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => {
    if (text.length < MAX_OUTPUT) text += d.toString('utf8');
    else dropped += d.length;
  });
  return { stream, value: () => (dropped ? `${text.slice(0, MAX_OUTPUT)}\n[… ${dropped} bytes dropped]` : text) };
}

/**
 * Exec APIs cannot kill what they started, so a command with a timeout records its pid in a file
 * and this script, run in the same container, ends it.
 */
export const killByPidFile = (pidFile: string) =>
  `kill -TERM $(cat ${pidFile}) 2>/dev/null; sleep 1; kill -KILL $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}`;
