import { describe, expect, it } from 'vitest';
import { parseDevcontainer, substituteDevcontainerVariables } from '../../../lib/config';

const ctx = { containerWorkspaceFolder: '/workspaces/my-app', devcontainerId: 'abc123', env: { USER: 'ada', EMPTY: '' } };

describe('substituteDevcontainerVariables', () => {
  const cfg = parseDevcontainer(`{
    "image": "x",
    "workspaceFolder": "\${containerWorkspaceFolder}",
    "containerEnv": {
      "FOLDER": "\${containerWorkspaceFolderBasename}",
      "WHO": "\${localEnv:USER}",
      "WHO2": "\${env:USER}",
      "DEF": "\${localEnv:MISSING:fallback}",
      "NONE": "\${localEnv:MISSING}",
      "EMPTY": "\${localEnv:EMPTY:ignored}",
      "ID": "id-\${devcontainerId}",
      "KEEP": "\${containerEnv:PATH} \${localWorkspaceFolder} \${unknown}"
    },
    "mounts": ["type=volume,source=cache-\${devcontainerId},target=\${containerWorkspaceFolder}/.cache"],
    "postCreateCommand": ["echo", "\${localEnv:USER}"]
  }`);
  const out = substituteDevcontainerVariables(cfg, ctx);

  it('replaces the workspace folder, its basename and the id', () => {
    expect(out.workspaceFolder).toBe('/workspaces/my-app');
    expect(out.containerEnv.FOLDER).toBe('my-app');
    expect(out.containerEnv.ID).toBe('id-abc123');
    expect(out.mounts[0]).toEqual({ type: 'volume', source: 'cache-abc123', target: '/workspaces/my-app/.cache' });
  });

  it('reads localEnv from the given env only, with defaults and empty for missing', () => {
    process.env.MISSING = 'from-the-server';
    try {
      const again = substituteDevcontainerVariables(cfg, ctx);
      expect(again.containerEnv).toMatchObject({ WHO: 'ada', WHO2: 'ada', DEF: 'fallback', NONE: '', EMPTY: '' });
    } finally {
      delete process.env.MISSING;
    }
  });

  it('leaves unknown variables as written', () => {
    expect(out.containerEnv.KEEP).toBe('${containerEnv:PATH} ${localWorkspaceFolder} ${unknown}');
  });

  it('substitutes inside lifecycle commands and does not change the input', () => {
    expect(out.postCreateCommand).toEqual([{ argv: ['echo', 'ada'] }]);
    expect(cfg.containerEnv.WHO).toBe('${localEnv:USER}');
    expect(out.warnings).toEqual(cfg.warnings);
  });
});
