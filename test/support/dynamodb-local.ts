import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../lib/store';

/** The Debian package that provides `java` for DynamoDB Local. */
export const JAVA_PACKAGE = 'openjdk-17-jre-headless';

/** A running DynamoDB Local (Amazon's own implementation) on loopback. */
export interface DynamoDBLocal {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** How long it took from spawn until it answered a ListTables call, in ms. */
  startMs: number;
  /** What it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Where `amplify-dynamodb-simulator` keeps DynamoDBLocal.jar and its native libraries. */
export function dynamodbLocalDir(): string {
  const pkg = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  const dir = join(dirname(pkg), 'emulator');
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDBLocal.jar is missing under ${dir}: run npm install (devDependency amplify-dynamodb-simulator)`);
  }
  return dir;
}

/** Fails, naming the Debian package, when there is no Java to run DynamoDB Local. */
export function requireJava(env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore', env });
  if (r.error || r.status !== 0) {
    throw new Error(`DynamoDB Local needs java: install the Debian package ${JAVA_PACKAGE} (apt-get install -y --no-install-recommends ${JAVA_PACKAGE})`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/**
 * Starts DynamoDB Local in memory on a free 127.0.0.1 port and waits until it answers. `-sharedDb`
 * so every client sees the same tables whatever its region or key; `-disableTelemetry` because tests
 * talk to loopback only. C1-only JIT: the tests are short, so start-up time matters more than peak speed.
 */
export async function startDynamoDBLocal(o: { timeoutMs?: number } = {}): Promise<DynamoDBLocal> {
  requireJava();
  const dir = dynamodbLocalDir();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dir, await freePort(), o.timeoutMs ?? 60_000);
    } catch (err) {
      // The free port can be taken by someone else between our probe and Java's bind.
      if (attempt >= 3 || !/BindException|Address already in use/.test(String(err))) throw err;
    }
  }
}

async function launch(dir: string, port: number, timeoutMs: number): Promise<DynamoDBLocal> {
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawn('java', [
    '-XX:TieredStopAtLevel=1', '-Xss1m', '-Xmx512m', '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port),
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  // A test worker that dies must not leave a JVM behind.
  const reap = () => { child.kill('SIGKILL'); };
  process.once('exit', reap);
  const stop = async () => {
    process.off('exit', reap);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited(child);
    clearTimeout(timer);
  };
  const deadline = started + timeoutMs;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering on ${endpoint}:\n${out}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, startMs: Date.now() - started, output: () => out, stop };
}
