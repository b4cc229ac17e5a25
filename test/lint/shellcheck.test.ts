import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

  // POSIX sh unless the script's first line asks for bash (a probe that needs /dev/tcp in an image without curl).
  const shellOf = (script: string) => (readFileSync(join(ROOT, script), 'utf8').startsWith('#!/bin/bash') ? 'bash' : 'sh');

  test.each(scripts.map((script) => [relative(ROOT, script)]))('%s passes shellcheck as the shell its first line names (sh by default)', (script) => {
    // WHEN
    const result = spawnSync(
      'shellcheck',
      ['--external-sources', '--source-path=SCRIPTDIR', `--shell=${shellOf(script)}`, '--severity=style', script],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

    // THEN
    if (result.error) {
      throw new Error(`cannot run shellcheck (${result.error.message}); install it: apt-get install -y shellcheck`);
    }
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
