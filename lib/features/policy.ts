import { evaluate, imageAllowed, type Policy, type Violation } from '../policy';
import { featureEntry } from './dockerfile';
import type { ResolvedFeature } from './types';

const field = (ref: string) => `features[${JSON.stringify(ref)}]`;

/**
 * Judges which Features may be fetched at all, before any is: a provider that restricts images
 * (`policy.images`) refuses Dockerfile builds, and a Feature's install.sh runs as root in a build
 * just like a Dockerfile, so only Features under an allowed prefix pass there.
 */
export function featureSourceViolations(policy: Policy, features: Record<string, unknown>): Violation[] {
  if (policy.images.length === 0) return [];
  return Object.keys(features).filter((ref) => !imageAllowed(policy, ref)).map((ref) => ({
    field: field(ref), rule: 'policy.images',
    message: `a Feature runs its install script as root in the image build, and this provider allows only images under ${policy.images.join(', ')}`,
  }));
}

/**
 * Judges what each Feature asks the container for (privileged, capAdd, securityOpt, mounts) with
 * the provider's policy, before anything is built, naming the Feature in each refusal
 * (`features["./dind"].privileged`). The built image's label is judged again before the container
 * is created, like any image's.
 */
export function featureViolations(policy: Policy, features: ResolvedFeature[]): Violation[] {
  return features.flatMap((f) => evaluate(policy, { metadata: [featureEntry(f)] }).map((v) => ({
    ...v, field: v.field.replace(/^image\.metadata\[0\]/, field(f.ref.written)),
  })));
}
