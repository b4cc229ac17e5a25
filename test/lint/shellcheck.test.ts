import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function shellScripts(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      return shellScripts(path);
    }
    return entry.name.endsWith('.sh') ? [path] : [];
  });
}

describe('pod scripts and the scripts tests run', () => {
  const scripts = [...shellScripts(join(ROOT, 'lib')), ...shellScripts(join(ROOT, 'test'))];

  test('there are scripts to check', () => {
    expect(scripts.length).toBeGreaterThan(0);
  });

  test.each(scripts.map((script) => [relative(ROOT, script)]))('%s passes shellcheck as POSIX sh', (script) => {
    // WHEN
    const result = spawnSync('shellcheck', ['--external-sources', '--source-path=SCRIPTDIR', '--shell=sh', '--severity=style', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    // THEN
    if (result.error) {
      throw new Error(`cannot run shellcheck (${result.error.message}); install it: apt-get install -y shellcheck`);
    }
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
