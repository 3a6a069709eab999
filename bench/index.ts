/** `npm run bench`: every benchmark, each printing its figures and ratios measured in this one run. */
export {};
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const only = process.argv[2];
const benches: Record<string, () => Promise<unknown>> = {
  'up-time': async () => (await import('./up-time')).upTimeBench(),
  'sweep-cost': async () => (await import('./sweep-cost')).sweepCostBench(),
  'cold-start': async () => (await import('./cold-start')).coldStartBench(),
  fleet: async () => (await import('./fleet')).fleetBench(),
  // Before scale: the api bench prints this process's RSS, which the scale model's fleets would inflate.
  api: async () => (await import('./api')).apiBench(),
  scale: async () => (await import('./scale')).scaleBench(),
};
/** Run only when named (`npm run bench -- profile`, `-- cold-profile`): where time goes, not figures with a floor. */
const onDemand: Record<string, () => Promise<unknown>> = {
  profile: async () => (await import('./profile-create')).profileCreateBench(),
  'cold-profile': async () => (await import('./profile-cold-start')).profileColdStartBench(),
};
if (only && onDemand[only]) {
  await onDemand[only]!();
  process.exit(0);
}
for (const [name, fn] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await fn();
}
process.exit(0);
