import { registryHostKey, registryLogin, type RegistryLogin } from '../policy/registries';
import { isSecretRef, type SecretResolver } from '../secrets/references';
import type { FeatureLoaders } from './types';

type Login = { username: string; password: string };

/**
 * A `credentialsFor` loader over the provider's `workbay.registries`: a host's references are
 * fetched the first time that registry is called, once per driver, so a broken reference for one
 * registry fails only the Features from it (with the field named), never other work. Hosts are
 * matched by registryHostKey (any case, Docker Hub's aliases as one, port included); undefined when
 * the provider names no registries.
 */
export function registryCredentials(registries: Record<string, RegistryLogin> | undefined, secrets: SecretResolver): FeatureLoaders['credentialsFor'] {
  if (!registries || !Object.keys(registries).length) return undefined;
  const fetched = new Map<string, Promise<Login | undefined>>();
  return (registry) => {
    const host = registryHostKey(registry);
    let p = fetched.get(host);
    if (!p) {
      const { key: written, login } = registryLogin(registries, host) ?? {};
      const field = (key: string) => `workbay.registries["${written}"].${key}`;
      p = login
        ? (async () => ({
          username: isSecretRef(login.username) ? (await secrets(login.username, field('username'))).trim() : login.username,
          // Secret files usually end with a newline that is not part of the password.
          password: (await secrets(login.password, field('password'))).replace(/\r?\n$/, ''),
        }))()
        : Promise.resolve(undefined);
      fetched.set(host, p);
      p.catch(() => fetched.delete(host));
    }
    return p;
  };
}
