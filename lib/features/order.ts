import { configError } from '../errors';
import { canonicalId } from './reference';

/** What the install order needs to know about one Feature. */
export interface OrderNode {
  /** Unique key of this instance (reference as written, plus options when one Feature appears twice). */
  key: string;
  /** The id without version (what installsAfter and overrideFeatureInstallOrder name). */
  canonical: string;
  /** Other names the Feature answers to in installsAfter (its metadata id, legacy ids). */
  aliases: string[];
  /** canonical ids this Feature hard-depends on. */
  dependsOn: string[];
  /** canonical ids it installs after when they are present. */
  installsAfter: string[];
  /** Among instances of one Feature, lower installs first (a dependency's before the config's own). */
  rank?: number;
}

/**
 * The spec's install order: a round-based topological sort. In each round the Features whose
 * dependencies (dependsOn, and installsAfter when present) are all installed are candidates; only
 * those with the highest `overrideFeatureInstallOrder` priority are committed, sorted by id. A
 * round with no candidate is a cycle.
 *
 * @throws WorkbayError `config.invalid` naming the Features in a cycle.
 */
export function installOrder<T extends OrderNode>(nodes: T[], override: string[] = []): T[] {
  const priorityOf = new Map(override.map((id, i) => [canonicalId(id), override.length - i]));
  const names = (n: OrderNode) => [n.canonical, ...n.aliases];
  const present = (id: string) => nodes.some((n) => names(n).includes(id));
  const done: T[] = [];
  const installed = new Set<string>();
  const isInstalled = (id: string) => installed.has(id);
  let left = [...nodes];
  while (left.length) {
    const ready = left.filter((n) => n.dependsOn.every(isInstalled) && n.installsAfter.filter(present).every(isInstalled));
    if (!ready.length) {
      throw configError(`Features depend on each other in a cycle: ${left.map((n) => n.key).join(', ')}`, left.map((n) => ({
        field: `features["${n.key}"]`, message: `waits for ${[...n.dependsOn, ...n.installsAfter.filter(present)].filter((d) => !isInstalled(d)).join(', ')}`,
      })));
    }
    const priority = (n: OrderNode) => Math.max(0, ...names(n).map((id) => priorityOf.get(id) ?? 0));
    const top = Math.max(...ready.map(priority));
    const round = ready.filter((n) => priority(n) === top).sort((a, b) => (a.canonical < b.canonical ? -1 : a.canonical > b.canonical ? 1
      : (a.rank ?? 0) !== (b.rank ?? 0) ? (a.rank ?? 0) - (b.rank ?? 0) : a.key < b.key ? -1 : 1));
    for (const n of round) {
      done.push(n);
      for (const id of names(n)) installed.add(id);
    }
    left = left.filter((n) => !round.includes(n));
  }
  return done;
}
