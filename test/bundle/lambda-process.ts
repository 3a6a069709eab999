/**
 * A built function in a fresh Node process, invoked the way the Lambda runtime does: import the
 * bundle's index.mjs, then call `handler(event, context)` once per event. Events go in on stdin and
 * results come back on fd 3, so the function's own log lines on stdout/stderr stay apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';

const RUNNER = `
import { createInterface } from 'node:readline';
import { writeSync } from 'node:fs';
const reply = (o) => writeSync(3, JSON.stringify(o) + '\\n');
let mod;
try {
  mod = await import(process.env.WORKBAY_TEST_BUNDLE);
} catch (err) {
  reply({ error: 'import failed: ' + (err && err.stack || err) });
  process.exit(1);
}
let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const context = { awsRequestId: 'req-' + (++n), functionName: 'workbay-test', functionVersion: '$LATEST', memoryLimitInMB: '1024',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:workbay-test', getRemainingTimeInMillis: () => 60000, callbackWaitsForEmptyEventLoop: true };
  try {
    const result = await mod.handler(JSON.parse(line), context);
    reply({ result, at: performance.now() });
  } catch (err) {
    reply({ error: String(err && err.message || err), at: performance.now() });
  }
}
process.exit(0);
`;

/** What one invocation returned; `error` when the handler threw; `at` is ms since the process started. */
export interface Invocation<T = any> { result?: T; error?: string; at: number }

/** A running fresh process with one function loaded. */
export interface LambdaProcess {
  invoke<T = any>(event: unknown): Promise<Invocation<T>>;
  /** Everything the function wrote to stdout and stderr so far (its JSON log lines). */
  output(): string;
  close(): Promise<void>;
}

/** Starts `node` on the bundle in `dir` (dist/<fn>) with exactly `env` (plus PATH). */
export function startLambda(dir: string, env: Record<string, string>): LambdaProcess {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, WORKBAY_TEST_BUNDLE: pathToFileURL(join(dir, 'index.mjs')).href },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const waiting: ((r: Invocation) => void)[] = [];
  let exited: string | undefined;
  const replies = createInterface({ input: child.stdio[3] as Readable });
  replies.on('line', (line) => {
    const r = JSON.parse(line) as Invocation;
    const w = waiting.shift();
    if (w) w(r);
    else exited = r.error;
  });
  child.on('exit', (code) => {
    exited ??= `process exited with ${code}`;
    for (const w of waiting.splice(0)) w({ error: `${exited}: ${out.slice(-2000)}`, at: -1 });
  });
  return {
    invoke: (event) => new Promise((resolve) => {
      if (exited) return resolve({ error: `${exited}: ${out.slice(-2000)}`, at: -1 });
      waiting.push(resolve);
      child.stdin!.write(`${JSON.stringify(event)}\n`);
    }),
    output: () => out,
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
      setTimeout(() => child.kill(), 5000).unref();
    }),
  };
}
