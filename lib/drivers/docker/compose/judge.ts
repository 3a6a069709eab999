import { imageAllowed, judgeContainer, type EngineHostConfig, type Policy, type Violation } from '../../../policy';

/** HostConfig field names as the compose file spells them (Mounts follow `volumes:` one to one). */
const KEYS: Record<string, string> = { Privileged: 'privileged', CapAdd: 'cap_add', SecurityOpt: 'security_opt', NetworkMode: 'network_mode', Mounts: 'volumes', Binds: 'volumes' };
const composeKey = (field: string) => field.replace(/^[A-Za-z]+/, (k) => KEYS[k] ?? k);

/** One service as the policy sees it. */
export interface JudgedService {
  service: string;
  hostConfig: EngineHostConfig;
  /** The image it runs when it names one (`image:`); a build is judged by `built`. */
  image?: string;
  built?: boolean;
  /** Further networks it joins after create (the first one is the HostConfig's NetworkMode). */
  networks?: string[];
}

/**
 * Judges every service of a project with the provider's policy, as the single container is judged
 * (judgeContainer): privileged, capabilities, security options, host binds, network modes such as
 * `host`, images. The project's own objects are the workspace's, so they are not asks: its networks
 * (and `container:` joins of its own services) and its volumes, whose engine names start with
 * `workbay-` and would otherwise read as another workspace's (`own` holds their names and ids).
 *
 * @returns one Violation per refused ask, fields named as written (`dockerComposeFile.services.db.privileged`).
 */
export function judgeServices(policy: Policy, services: JudgedService[], ownVolume: string, own: Set<string>): Violation[] {
  const out: Violation[] = [];
  for (const s of services) {
    const hc = s.hostConfig;
    const mode = hc.NetworkMode;
    const ownMode = mode !== undefined && (own.has(mode) || (mode.startsWith('container:') && own.has(mode.slice('container:'.length))));
    const judged: EngineHostConfig = {
      ...hc,
      NetworkMode: ownMode ? undefined : mode,
      Mounts: (hc.Mounts ?? []).map((m) => (m.Type === 'volume' && m.Source && own.has(m.Source) ? { Type: m.Type, Target: m.Target } : m)),
    };
    if (!judged.NetworkMode) delete judged.NetworkMode;
    for (const v of judgeContainer(policy, judged, ownVolume)) {
      out.push({ ...v, field: `dockerComposeFile.services.${s.service}.${composeKey(v.field.replace(/^container\.HostConfig\./, ''))}` });
    }
    for (const n of (s.networks ?? []).filter((x) => !own.has(x))) {
      for (const v of judgeContainer(policy, { NetworkMode: n }, ownVolume)) out.push({ ...v, field: `dockerComposeFile.services.${s.service}.networks` });
    }
    if (s.image !== undefined && !imageAllowed(policy, s.image)) {
      out.push({ field: `dockerComposeFile.services.${s.service}.image`, rule: 'policy.images', message: `image ${JSON.stringify(s.image)} is not allowed (allowed prefixes: ${policy.images.join(', ')})` });
    }
    if (s.built && policy.images.length > 0) {
      out.push({ field: `dockerComposeFile.services.${s.service}.build`, rule: 'policy.images', message: `a Dockerfile can start FROM any image, and this provider allows only images under ${policy.images.join(', ')}` });
    }
  }
  return out;
}
