import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const assetCache = new Map<string, string>();

/**
 * Reads files that ship next to the library (scripts, templates) into a ConfigMap `data` map, keyed by file name.
 * Each file is read once per process, however many components use it.
 */
export function readAssets(directory: string, fileNames: readonly string[]): Record<string, string> {
  return Object.fromEntries(fileNames.map((fileName) => [fileName, readAsset(join(directory, fileName))]));
}

function readAsset(path: string): string {
  let content = assetCache.get(path);
  if (content === undefined) {
    content = readFileSync(path, 'utf8');
    assetCache.set(path, content);
  }
  return content;
}

/** A short, stable digest of configuration, for a pod annotation that rolls the pods when the configuration changes. */
export function configHash(...data: Record<string, string>[]): string {
  const hash = createHash('sha256');
  for (const entries of data) {
    for (const key of Object.keys(entries).sort()) {
      hash.update(key).update('\0').update(entries[key]).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}
