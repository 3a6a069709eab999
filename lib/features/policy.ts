import { evaluate, type Policy, type Violation } from '../policy';
import { featureEntry } from './dockerfile';
import type { ResolvedFeature } from './types';

/**
 * Judges what each Feature asks the container for (privileged, capAdd, securityOpt, mounts) with
 * the provider's policy, before anything is built, naming the Feature in each refusal
 * (`features["./dind"].privileged`). The built image's label is judged again before the container
 * is created, like any image's.
 */
export function featureViolations(policy: Policy, features: ResolvedFeature[]): Violation[] {
  return features.flatMap((f) => evaluate(policy, { metadata: [featureEntry(f)] }).map((v) => ({
    ...v, field: v.field.replace(/^image\.metadata\[0\]/, `features[${JSON.stringify(f.ref.written)}]`),
  })));
}
