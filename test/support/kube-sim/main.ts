import { resolve } from 'node:path';
import { startKubeSim } from './index';

/** `npm run kube-sim -- --kubeconfig PATH [--hide-nodes] [--port N]`: serves until SIGINT/SIGTERM, then cleans up. */
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
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error('kube-sim failed to start:', err);
  process.exit(1);
});
