import { promises as fs } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Document, isMap, isNode, isSeq, LineCounter, parseAllDocuments, Tags } from 'yaml';
import type { CheckInput } from './engine';
import type { KubeObject } from './model';

/** The text of one manifest file, named as the user named it (`<stdin>` for standard input). */
export interface ManifestSource {
  readonly path: string;
  readonly content: string;
}

/** The name reports give standard input. */
export const STDIN_NAME = '<stdin>';

/** The file names a directory walk reads. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** Files a directory walk leaves out: what `cdk8s synth` writes next to the manifests (construct paths, not objects). */
export const NON_MANIFEST_FILES: readonly string[] = ['construct-metadata.json'];

/** Input that is not a set of Kubernetes objects; the message starts with `<file>:<line>:` (or `<file>:` without a line). */
export class ManifestLoadError extends Error {
  public readonly file: string;
  public readonly line?: number;
  public readonly reason: string;

  constructor(file: string, line: number | undefined, reason: string) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'ManifestLoadError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';

/**
 * kubectl reads YAML 1.1 (`0644` is octal, `yes` is true), but turns neither `12:30` into a base-60 number nor an unquoted
 * date into a timestamp; rules expect those as the strings they were written as.
 */
function kubectlCompatibleTags(tags: Tags): Tags {
  return tags.filter((tag) => typeof tag === 'string' || (tag.tag !== TIMESTAMP_TAG && tag.format !== 'TIME'));
}

/**
 * The Kubernetes objects of one YAML or JSON text: every document of a stream, `kind: List` (and other `*List` kinds
 * with `items`) and top-level sequences expanded into their items, each with the 1-based line where it starts.
 * Empty and comment-only documents are skipped. Throws a {@link ManifestLoadError} when the text holds no object.
 */
export function loadManifests(source: ManifestSource): CheckInput[] {
  const inputs: CheckInput[] = [];
  appendObjectsOrFail(source, inputs);
  return inputs;
}

function appendObjectsOrFail(source: ManifestSource, inputs: CheckInput[]): void {
  const before = inputs.length;
  appendObjects(source, inputs);
  if (inputs.length === before) {
    throw new ManifestLoadError(source.path, undefined, 'no Kubernetes object in the input (it is empty or only comments)');
  }
}

/** Appends in place: a run may load hundreds of thousands of objects, too many to spread into a call or copy per file. */
function appendObjects(source: ManifestSource, inputs: CheckInput[]): void {
  const nul = source.content.indexOf('\0');
  if (nul >= 0) {
    throw new ManifestLoadError(source.path, lineAt(source.content, nul), 'binary content (a NUL byte); expected UTF-8 YAML or JSON text');
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source.content, { lineCounter, prettyErrors: false, version: '1.1', customTags: kubectlCompatibleTags });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  for (const document of documents) {
    const [error] = document.errors;
    if (error) {
      throw new ManifestLoadError(source.path, lineOf(error.pos[0]), `YAML syntax error: ${error.message}`);
    }
    const node = document.contents;
    if (!node) {
      continue;
    }
    const line = lineOf(node.range[0]);
    const value = documentValue(document, source.path, line);
    if (value === null || value === undefined) {
      continue;
    }
    collectObjects(value, node, line, '', { file: source.path, lineOf }, inputs);
  }
}

interface CollectContext {
  readonly file: string;
  lineOf(offset: number): number;
}

function documentValue(document: Document.Parsed, file: string, line: number): unknown {
  try {
    return document.toJS();
  } catch (error) {
    // toJS refuses alias bombs and similar documents that parse but cannot be expanded.
    throw new ManifestLoadError(file, line, `cannot read the document: ${(error as Error).message}`);
  }
}

/**
 * Appends the object `value` (or the items of a list, or of a document that is a sequence) parsed from `node`, which
 * starts at `line`; `where` names list items in messages.
 */
function collectObjects(value: unknown, node: unknown, line: number, where: string, context: CollectContext, inputs: CheckInput[]): void {
  const subject = where === '' ? 'the document' : where;
  if (Array.isArray(value) && where === '') {
    expandItems(value, node, line, where, context, inputs);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestLoadError(context.file, line, `${subject} is not a Kubernetes object (a mapping): it is ${describeValue(value)}`);
  }
  const object = value as Record<string, unknown>;
  if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
    const itemsNode = isMap(node) ? node.get('items', true) : undefined;
    expandItems(object.items, itemsNode, line, where === '' ? 'items' : `${where}.items`, context, inputs);
    return;
  }
  for (const field of ['apiVersion', 'kind']) {
    if (typeof object[field] !== 'string' || object[field] === '') {
      const found = object[field] === undefined ? '' : ` (found ${describeValue(object[field])})`;
      throw new ManifestLoadError(context.file, line, `${subject} has no ${field}${found}; every Kubernetes object needs apiVersion and kind`);
    }
  }
  inputs.push({ object: object as KubeObject, location: { file: context.file, line } });
}

/** Items of a sequence written through an alias have no node of their own; they get the line of the list. */
function expandItems(items: unknown[], node: unknown, line: number, where: string, context: CollectContext, inputs: CheckInput[]): void {
  const itemNodes = isSeq(node) ? node.items : [];
  items.forEach((item, position) => {
    const itemNode = itemNodes[position];
    const itemLine = isNode(itemNode) && itemNode.range ? context.lineOf(itemNode.range[0]) : line;
    collectObjects(item, itemNode, itemLine, where === '' ? `item ${position}` : `${where}[${position}]`, context, inputs);
  });
}

function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a sequence';
  }
  return typeof value === 'object' ? 'a mapping' : `the ${typeof value} ${JSON.stringify(value)}`;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
  }
  return line;
}

/**
 * Reads the manifests named on a command line: files, directories (recursively, every `*.yaml`, `*.yml` and
 * `*.json` file, hidden entries skipped) and `-` for standard input. Paths stay as given, relative to `cwd`.
 */
export async function loadPaths(paths: readonly string[], options: { cwd: string; readStdin?: () => Promise<string> }): Promise<CheckInput[]> {
  const inputs: CheckInput[] = [];
  for (const path of paths) {
    if (path === '-') {
      if (!options.readStdin) {
        throw new ManifestLoadError(STDIN_NAME, undefined, 'standard input is not available');
      }
      appendObjectsOrFail({ path: STDIN_NAME, content: await options.readStdin() }, inputs);
      continue;
    }
    const absolute = resolve(options.cwd, path);
    if (!(await statOrFail(path, absolute)).isDirectory()) {
      appendObjectsOrFail({ path, content: await readManifestFile(path, absolute) }, inputs);
      continue;
    }
    const before = inputs.length;
    for (const file of await listManifestFiles(absolute)) {
      const shown = join(path, file);
      appendObjects({ path: shown, content: await readManifestFile(shown, join(absolute, file)) }, inputs);
    }
    if (inputs.length === before) {
      throw new ManifestLoadError(
        path,
        undefined,
        `no Kubernetes object in any ${MANIFEST_EXTENSIONS.map((ext) => `*${ext}`).join(', ')} file of the directory`,
      );
    }
  }
  return inputs;
}

/** Manifest files under `directory`, relative to it, in a stable (sorted) order. */
export async function listManifestFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await fs.readdir(join(directory, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || NON_MANIFEST_FILES.includes(entry.name)) {
        continue;
      }
      const path = relative === '' ? entry.name : join(relative, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (MANIFEST_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
        files.push(path);
      }
    }
  };
  await walk('');
  return files;
}

async function statOrFail(shown: string, absolute: string) {
  try {
    return await fs.stat(absolute);
  } catch (error) {
    throw fileError(shown, error);
  }
}

async function readManifestFile(shown: string, absolute: string): Promise<string> {
  try {
    return await fs.readFile(absolute, 'utf8');
  } catch (error) {
    throw fileError(shown, error);
  }
}

function fileError(shown: string, error: unknown): ManifestLoadError {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
  };
  return new ManifestLoadError(shown, undefined, (code && reasons[code]) ?? `cannot read: ${(error as Error).message}`);
}
