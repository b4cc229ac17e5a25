import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App as Cdk8sApp, AppProps } from 'cdk8s';
import { App } from '../../lib';

export type AppBuilder = (app: Cdk8sApp) => void;

/** What a synthesis left behind: every file and folder under the output directory, or the error it threw. */
export interface Outcome {
  /** Relative path to content; folders end in `/` and map to ''. */
  readonly files?: Record<string, string>;
  readonly error?: string;
}

/** Synthesizes a fresh app built by `build` into a fresh directory, with cdk8s's App or ours. */
export function synthesize(appClass: typeof Cdk8sApp, build: AppBuilder, props: AppProps = {}): Outcome {
  const outdir = mkdtempSync(join(tmpdir(), 'sb-synth-'));
  try {
    const app = new appClass({ ...props, outdir });
    build(app);
    try {
      app.synth();
    } catch (error) {
      return { error: (error as Error).message };
    }
    return { files: readTree(outdir) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** `synthYaml()` of a fresh app built by `build`, or the error it threw. */
export function synthesizeYaml(appClass: typeof Cdk8sApp, build: AppBuilder, props: AppProps = {}): { yaml?: string; error?: string } {
  const app = new appClass(props);
  build(app);
  try {
    return { yaml: app.synthYaml() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Ours and cdk8s's synthesis of the same app, by `synth()` into files and by `synthYaml()`. */
export function synthesizeBoth(build: AppBuilder, props: AppProps = {}) {
  return {
    cdk8s: { synth: synthesize(Cdk8sApp, build, props), yaml: synthesizeYaml(Cdk8sApp, build, props) },
    ours: { synth: synthesize(App, build, props), yaml: synthesizeYaml(App, build, props) },
  };
}

function readTree(root: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files[`${relative}/`] = '';
      Object.assign(files, readTree(root, relative));
    } else {
      files[relative] = readFileSync(join(root, relative), 'utf8');
    }
  }
  return files;
}

/** A small deterministic pseudo-random generator (mulberry32), so that a generated app is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
