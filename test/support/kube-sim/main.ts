import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startKubeSim } from './index';

/** The parent pid of a process (Linux /proc), or undefined. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * `npm run kube-sim -- --kubeconfig PATH [--hide-nodes] [--port N]`: serves until SIGINT/SIGTERM/SIGHUP, then removes
 * its containers and volumes. npm 11 neither forwards SIGTERM nor waits: when the npm above tsx dies (tsx is
 * re-parented to init), this process shuts down as if signalled.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const kubeconfigPath = value('--kubeconfig');
  if (!kubeconfigPath) {
    console.error('usage: npm run kube-sim -- --kubeconfig PATH [--hide-nodes] [--port N]');
    process.exit(2);
  }
  const dockerHost = process.env.WORKBAY_TEST_DOCKER_HOST ?? 'unix:///tmp/workbay-test-dockerd/docker.sock';
  const port = value('--port');
  const sim = await startKubeSim({ dockerHost, hideNodes: args.includes('--hide-nodes'), port: port ? Number(port) : undefined });
  sim.writeKubeconfig(resolve(kubeconfigPath));
  console.log(`kube-sim listening on ${sim.url} (docker ${dockerHost}); kubeconfig written to ${resolve(kubeconfigPath)}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`kube-sim: ${signal}, removing containers and volumes…`);
    sim.close().then(() => process.exit(0), (err) => {
      console.error(err);
      process.exit(1);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  const grandparent = parentOf(process.ppid);
  if (grandparent !== undefined && grandparent !== 1) {
    setInterval(() => {
      if (process.ppid === 1 || parentOf(process.ppid) === 1) stop('parent exited');
    }, 1000).unref();
  }
}

main().catch((err) => {
  console.error('kube-sim failed to start:', err);
  process.exit(1);
});
