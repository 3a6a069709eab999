import { isRecord } from './provider-keys';
import type { DevcontainerConfig, DevcontainerVariableContext } from './devcontainer-types';

const VARIABLE = /\$\{(.*?)\}/g;

/**
 * Replaces the devcontainer.json variables workbay knows in every string value of `cfg` (keys are
 * left alone) and returns a new config:
 * - `${containerWorkspaceFolder}`, `${containerWorkspaceFolderBasename}`, `${devcontainerId}`;
 * - `${localEnv:VAR}` / `${localEnv:VAR:default}` (also `${env:...}`) from `ctx.env` only, never the
 *   server's environment; a missing variable without a default becomes empty, as in the reference CLI.
 * Other `${...}` (e.g. `${containerEnv:PATH}`, `${localWorkspaceFolder}`) are left as written.
 */
export function substituteDevcontainerVariables(cfg: DevcontainerConfig, ctx: DevcontainerVariableContext): DevcontainerConfig {
  const replace = (text: string): string =>
    text.replace(VARIABLE, (match, inner: string) => {
      const [name, ...args] = inner.split(':');
      switch (name) {
        case 'containerWorkspaceFolder':
          return args.length === 0 ? ctx.containerWorkspaceFolder : match;
        case 'containerWorkspaceFolderBasename':
          return args.length === 0 ? basename(ctx.containerWorkspaceFolder) : match;
        case 'devcontainerId':
          return args.length === 0 ? ctx.devcontainerId : match;
        case 'localEnv':
        case 'env': {
          const variable = args[0];
          if (variable === undefined || variable === '') return match;
          const value = Object.hasOwn(ctx.env, variable) ? ctx.env[variable] : undefined;
          // The reference CLI takes the text after the second colon up to the next one as default.
          return value ?? args[1] ?? '';
        }
        default:
          return match;
      }
    });
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return replace(value);
    if (Array.isArray(value)) return value.map(walk);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const { warnings, ...rest } = cfg;
  return { ...(walk(rest) as Omit<DevcontainerConfig, 'warnings'>), warnings: [...warnings] };
}

function basename(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}
