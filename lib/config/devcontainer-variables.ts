import { isRecord } from './provider-keys';
import type { DevcontainerConfig, DevcontainerVariableContext } from './devcontainer-types';

const VARIABLE = /\$\{(.*?)\}/g;

/**
 * Replaces the devcontainer.json variables workbay knows in every string value of `cfg` (keys are
 * left alone) and returns a new config:
 * - `${containerWorkspaceFolder}`, `${containerWorkspaceFolderBasename}`, `${devcontainerId}`;
 * - `${localEnv:VAR}` / `${localEnv:VAR:default}` (also `${env:...}`) from `ctx.env` only, never the
 *   server's environment; a missing variable without a default becomes empty, as in the reference CLI.
 * - `${localWorkspaceFolder}`, `${localWorkspaceFolderBasename}` from `ctx.localWorkspaceFolder`.
 * `${containerEnv:VAR}` is left for substituteContainerEnv, once the image's environment is known.
 */
export function substituteDevcontainerVariables(cfg: DevcontainerConfig, ctx: DevcontainerVariableContext): DevcontainerConfig {
  const { warnings, ...rest } = cfg;
  return { ...(substituteValue(rest, ctx) as Omit<DevcontainerConfig, 'warnings'>), warnings: [...warnings] };
}

/** The same substitution on any JSON value (e.g. the image's metadata entries). */
export function substituteValue(value: unknown, ctx: DevcontainerVariableContext): unknown {
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
        case 'localWorkspaceFolder':
          return args.length === 0 && ctx.localWorkspaceFolder !== undefined ? ctx.localWorkspaceFolder : match;
        case 'localWorkspaceFolderBasename':
          return args.length === 0 && ctx.localWorkspaceFolder !== undefined ? basename(ctx.localWorkspaceFolder).replace(/\.git$/, '') : match;
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
  return walkStrings(value, replace);
}

/**
 * Fills in `${containerEnv:VAR}` (and `${containerEnv:VAR:default}`) from the container's
 * environment: the image's `Env` plus containerEnv. containerEnv's own values see only the image's.
 */
export function substituteContainerEnv(cfg: DevcontainerConfig, imageEnv: Record<string, string>): DevcontainerConfig {
  const fill = (env: Record<string, string>) => (text: string) => text.replace(VARIABLE, (match, inner: string) => {
    const [name, variable, fallback] = inner.split(':');
    if (name !== 'containerEnv' || !variable) return match;
    return Object.hasOwn(env, variable) ? env[variable]! : fallback ?? '';
  });
  const containerEnv = walkStrings(cfg.containerEnv, fill(imageEnv)) as Record<string, string>;
  const { warnings, ...rest } = cfg;
  const out = walkStrings({ ...rest, containerEnv: {} }, fill({ ...imageEnv, ...containerEnv })) as Omit<DevcontainerConfig, 'warnings'>;
  return { ...out, containerEnv, warnings: [...warnings] };
}

function walkStrings(value: unknown, replace: (s: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((v) => walkStrings(v, replace));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walkStrings(v, replace)]));
  return value;
}

function basename(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}
