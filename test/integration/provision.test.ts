import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { missingParts, provisionSystemParts, SYSTEM_PARTS } from '../support/provision';
import { ROOT } from '../support/processes';

describe('npm test provisions its own system parts', () => {
  it('after the global setup every part is present, and a second run installs nothing', () => {
    expect(missingParts()).toEqual([]);
    const said: string[] = [];
    provisionSystemParts((l) => said.push(l));
    expect(said).toEqual([]);
  });

  it('names a missing part by its package, and a non-root user gets the exact install line instead of an install', () => {
    const absent = [{ probe: '/nonexistent/workbay-probe', pkg: 'workbay-no-such-package', why: 'a test' }, { probe: 'workbay-no-such-command', pkg: 'workbay-other', why: 'another' }];
    expect(missingParts([...absent, SYSTEM_PARTS[0]!]).map((p) => p.pkg)).toEqual(['workbay-no-such-package', 'workbay-other']);
    const script = `import('./test/support/provision.ts').then((m) => m.provisionSystemParts(() => {}, ${JSON.stringify(absent)})).then(() => console.log('no error'), (e) => { console.log(e.message); process.exit(3); })`;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toContain('apt-get install -y workbay-no-such-package workbay-other');
  });
});
