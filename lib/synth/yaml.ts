import { createRequire } from 'node:module';
import { Yaml } from 'cdk8s';

/*
 * cdk8s writes each document with `YAML.stringify(document, { keepUndefined: true, lineWidth: 0, version: '1.1' })`
 * of the `yaml` library it bundles (2.3.2 at cdk8s 2.68.12, 2.9.1 at 2.70.x). That call builds a node tree of the
 * whole document before writing it, and is most of the time a fleet's synthesis takes. This writer produces the same
 * bytes directly from the JSON-like values cdk8s renders: block maps and sequences, strings, finite numbers, booleans
 * and null, following the library's own decisions for those options (lineWidth 0 turns folding off, so a multi-line
 * string is always a literal block). It asks the library's YAML 1.1 schema, not a copy of it, which plain strings would
 * read back as another type. Anything else (a Date, a Map, undefined, an object met twice, which the library writes as
 * an anchor and alias, a key over 1,024 characters, a case where the bundled versions differ) makes the document go
 * through cdk8s's own `Yaml.stringify`, and so does everything when a probe at load time does not come out
 * byte-identical to the library.
 */

/** Why the fast writer hands a document to the library: not an error, a boundary of what it reproduces. */
class OutsideFastPath extends Error {}

interface TagLike {
  readonly default?: unknown;
  readonly tag: string;
  readonly test?: RegExp;
  readonly identify?: (value: unknown) => boolean;
}

/** What the writer asks of the library's YAML 1.1 schema about strings. */
interface StringTags {
  /** Tags a plain scalar would be read back as instead of a string: such a string is quoted. */
  readonly readBackAs: readonly TagLike[];
  /** Tags other than `str` that claim some string values to write themselves (2.9.1's merge key `<<`). */
  readonly claimingStrings: readonly TagLike[];
}

interface YamlLibrary {
  Document: new (value: unknown, options: { version: '1.1' }) => { schema: { tags: readonly TagLike[]; compat?: readonly TagLike[] | null } };
}

const INDENT_STEP = '  ';
const STRING_TAG = 'tag:yaml.org,2002:str';
const MAX_IMPLICIT_KEY_LENGTH = 1024;
const DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH = 40;
// The library's own test: control characters and unpaired surrogates force double quotes.
// eslint-disable-next-line no-control-regex
const FORCES_DOUBLE_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;
/** Longer strings are rendered every time: V8 hashes a string that long by its length alone, so they would collide. */
const MAX_CACHED_STRING_LENGTH = 16_383;
const MAX_CACHED_STRINGS = 200_000;
/** Characters of renderings that are new strings (quoted or block scalars); a plain one is the value itself. */
const MAX_CACHED_RENDERED_CHARACTERS = 32 * 1024 * 1024;

/** From the YAML 1.1 schema of the `yaml` library cdk8s itself loads, whichever cdk8s version that is. */
function stringTags(): StringTags | undefined {
  try {
    const library = createRequire(require.resolve('cdk8s'))('yaml') as YamlLibrary;
    const { schema } = new library.Document(null, { version: '1.1' });
    return {
      readBackAs: [...schema.tags, ...(schema.compat ?? [])].filter((tag) => tag.default && tag.tag !== STRING_TAG && tag.test),
      claimingStrings: schema.tags.filter((tag) => tag.tag !== STRING_TAG && tag.identify),
    };
  } catch {
    return undefined;
  }
}

class FastYamlWriter {
  /** Rendered strings by depth: a key's rendering depends on whether it is top-level, a multi-line value's on its indent. */
  private readonly keysByDepth: Map<string, string>[] = [];
  private readonly valuesByDepth: Map<string, string>[] = [];
  private cachedStrings = 0;
  private cachedRenderedCharacters = 0;
  private seen = new Set<object>();

  constructor(private readonly tags: StringTags) {}

  public document(value: unknown): string {
    if (!isPlainObject(value)) {
      throw new OutsideFastPath();
    }
    this.seen = new Set();
    return `${this.map(value, 0)}\n`;
  }

  /** A block map whose lines after the first start at the indent of `depth`. */
  private map(value: Record<string, unknown>, depth: number): string {
    this.visit(value);
    const keys = Object.keys(value);
    if (keys.length === 0) {
      return '{}';
    }
    const indent = indentOf(depth);
    let out = '';
    for (let index = 0; index < keys.length; index++) {
      const key = this.string(keys[index], true, depth + 1);
      if (key.length > MAX_IMPLICIT_KEY_LENGTH) {
        throw new OutsideFastPath();
      }
      if (index > 0) {
        out += `\n${indent}`;
      }
      out += `${key}:${this.pairValue(value[keys[index]], depth + 1)}`;
    }
    return out;
  }

  private sequence(value: readonly unknown[], depth: number): string {
    this.visit(value);
    if (value.length === 0) {
      return '[]';
    }
    const indent = indentOf(depth);
    let out = '';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) {
        out += `\n${indent}`;
      }
      out += `- ${this.node(value[index], depth + 1)}`;
    }
    return out;
  }

  /** What follows `key:`: a space and the value, or a new line and a non-empty collection. */
  private pairValue(value: unknown, depth: number): string {
    const written = this.node(value, depth);
    const isNonEmptyCollection = typeof value === 'object' && value !== null && written !== '[]' && written !== '{}';
    return isNonEmptyCollection ? `\n${indentOf(depth)}${written}` : ` ${written}`;
  }

  private node(value: unknown, depth: number): string {
    switch (typeof value) {
      case 'string':
        return this.string(value, false, depth);
      case 'number':
        if (!Number.isFinite(value) || Object.is(value, -0)) {
          throw new OutsideFastPath();
        }
        return String(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object':
        if (value === null) {
          return 'null';
        }
        if (Array.isArray(value) && isPlainArray(value)) {
          return this.sequence(value, depth);
        }
        if (isPlainObject(value)) {
          return this.map(value, depth);
        }
        throw new OutsideFastPath();
      default:
        throw new OutsideFastPath();
    }
  }

  /** The library writes an object met twice in one document as an anchor and an alias. */
  private visit(value: object): void {
    if (this.seen.has(value)) {
      throw new OutsideFastPath();
    }
    this.seen.add(value);
  }

  private string(value: string, implicitKey: boolean, depth: number): string {
    const caches = implicitKey ? this.keysByDepth : this.valuesByDepth;
    const cached = caches[depth]?.get(value);
    if (cached !== undefined) {
      return cached;
    }
    const rendered = this.renderString(value, implicitKey, indentOf(depth));
    if (value.length <= MAX_CACHED_STRING_LENGTH) {
      this.remember(caches, depth, value, rendered);
    }
    return rendered;
  }

  /** Bounded, so that the strings of a very large fleet do not all stay in memory until the synthesis ends. */
  private remember(caches: Map<string, string>[], depth: number, value: string, rendered: string): void {
    const renderedCharacters = rendered === value ? 0 : rendered.length;
    if (this.cachedStrings >= MAX_CACHED_STRINGS || this.cachedRenderedCharacters + renderedCharacters > MAX_CACHED_RENDERED_CHARACTERS) {
      this.keysByDepth.length = 0;
      this.valuesByDepth.length = 0;
      this.cachedStrings = 0;
      this.cachedRenderedCharacters = 0;
    }
    let cache = caches[depth];
    if (cache === undefined) {
      cache = new Map();
      caches[depth] = cache;
    }
    cache.set(value, rendered);
    this.cachedStrings++;
    this.cachedRenderedCharacters += renderedCharacters;
  }

  /** The library's plain, quoted or literal choice for a string scalar, in a block collection. */
  private renderString(value: string, implicitKey: boolean, indent: string): string {
    if (this.tags.claimingStrings.some((tag) => tag.identify!(value))) {
      throw new OutsideFastPath();
    }
    if (FORCES_DOUBLE_QUOTES.test(value)) {
      return doubleQuoted(value, implicitKey, indent);
    }
    if (value === '' || (implicitKey && value.includes('\n'))) {
      return quoted(value, implicitKey, indent);
    }
    if (NOT_PLAIN.test(value)) {
      return implicitKey || !value.includes('\n') ? quoted(value, implicitKey, indent) : literalBlock(value, implicitKey, indent);
    }
    if (!implicitKey && value.includes('\n')) {
      return literalBlock(value, implicitKey, indent);
    }
    if (implicitKey && indent === INDENT_STEP && DOCUMENT_MARKER.test(value)) {
      return quoted(value, implicitKey, indent);
    }
    return this.tags.readBackAs.some((tag) => tag.test!.test(value)) ? quoted(value, implicitKey, indent) : value;
  }
}

const INDENTS: string[] = [''];

function indentOf(depth: number): string {
  while (INDENTS.length <= depth) {
    INDENTS.push(INDENTS[INDENTS.length - 1] + INDENT_STEP);
  }
  return INDENTS[depth];
}

/** What the library writes as a map: no tag of its own, no `toJSON`, not iterable. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !hasToJson(value) && !(Symbol.iterator in value);
}

function isPlainArray(value: readonly unknown[]): boolean {
  return Object.getPrototypeOf(value) === Array.prototype && !hasToJson(value);
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/*
 * The scalar writers below take the indent of the scalar's own lines. It is never empty: every scalar sits in the
 * document's root map, where the library would otherwise indent lines that start a document.
 */

function quoted(value: string, implicitKey: boolean, indent: string): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, implicitKey, indent) : doubleQuoted(value, implicitKey, indent);
}

function singleQuoted(value: string, implicitKey: boolean, indent: string): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) {
    return doubleQuoted(value, implicitKey, indent);
  }
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

/** JSON's escapes with YAML's short forms, and, outside keys, long values broken at their line breaks. */
function doubleQuoted(value: string, implicitKey: boolean, indent: string): string {
  const json = JSON.stringify(value);
  let out = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      out += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') {
      continue;
    }
    switch (json[i + 1]) {
      case 'u': {
        out += json.slice(start, i);
        out += shortEscape(json.substr(i + 2, 4)) ?? json.substr(i, 6);
        i += 5;
        start = i + 1;
        break;
      }
      case 'n':
        if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH) {
          i += 1;
        } else {
          out += `${json.slice(start, i)}\n\n`;
          while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
            out += '\n';
            i += 2;
          }
          out += indent;
          if (json[i + 2] === ' ') {
            out += '\\';
          }
          i += 1;
          start = i + 1;
        }
        break;
      default:
        i += 1;
    }
  }
  return start ? out + json.slice(start) : json;
}

const SHORT_ESCAPES: Record<string, string> = {
  '0000': '\\0',
  '0007': '\\a',
  '000b': '\\v',
  '001b': '\\e',
  '0085': '\\N',
  '00a0': '\\_',
  '2028': '\\L',
  '2029': '\\P',
};

function shortEscape(code: string): string | undefined {
  return SHORT_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.substring(2)}` : undefined);
}

/** A literal block scalar (`|`), with the chomping and indentation indicators its leading and trailing blanks need. */
function literalBlock(value: string, implicitKey: boolean, indent: string): string {
  if (/\n[\t ]+$/.test(value)) {
    return quoted(value, implicitKey, indent);
  }
  if (/^\s*$/.test(value)) {
    // 2.3.2 quotes a string of blanks and line breaks, 2.9.1 writes it as a block.
    throw new OutsideFastPath();
  }
  let endStart = value.length;
  while (endStart > 0) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') {
      break;
    }
    endStart--;
  }
  let end = value.substring(endStart);
  const endNewline = end.indexOf('\n');
  const chomp = endNewline === -1 ? '-' : value === end || endNewline !== end.length - 1 ? '+' : '';
  let body = value;
  if (end) {
    body = body.slice(0, -end.length);
    if (end.endsWith('\n')) {
      end = end.slice(0, -1);
    }
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startsWithSpace = false;
  let startEnd = 0;
  let startNewline = -1;
  for (; startEnd < body.length; ++startEnd) {
    const ch = body[startEnd];
    if (ch === ' ') {
      startsWithSpace = true;
    } else if (ch === '\n') {
      startNewline = startEnd;
    } else {
      break;
    }
  }
  let start = body.substring(0, startNewline < startEnd ? startNewline + 1 : startEnd);
  if (start) {
    body = body.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startsWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${body.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/**
 * Documents through every branch of the writer, compared with the library before the writer is trusted: a `yaml`
 * version whose output differs for any of them (a cdk8s outside the tested range) gets the library for everything.
 */
const PROBE_DOCUMENTS: readonly unknown[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'probe', labels: { 'app.kubernetes.io/name': 'probe', yes: 'on', '123': '0x1F' }, annotations: {} },
    data: {
      'script.sh': '#!/bin/sh\nset -eu\n\n  indented\nend\n',
      'kept.txt': 'a\n\n\n',
      'leading.txt': ' leading space\nsecond',
      'blank-start.txt': '\n\nafter blank lines',
      'trailing-blank.txt': 'x \n y\t\n',
      quotes: 'say "hi"',
      both: `it's "both"`,
      single: "it's",
      control: 'bell\u0007 nul\u0000 nbsp\u00a0 next\u0085',
      'long-control': 'line one with a bell \u0007 in it\nline two \n  indented third line\n',
      indicators: ['- item', '? key', ': value', '# comment', '&anchor', '*alias', '!tag', '|', '>', "'", '"', '%', '@', '`'],
      inner: 'a: b # c',
      markers: ['---', '...', '%YAML', 'text\n---\nmore'],
      'scalars-as-strings': [
        'true',
        'False',
        'null',
        '~',
        '',
        ' ',
        '1',
        '-2',
        '3.5',
        '1e3',
        '.inf',
        '.NaN',
        '0b101',
        '0o17',
        '1:20',
        '2001-12-14',
        'y',
        'N',
      ],
    },
  },
  {
    kind: 'Probe',
    numbers: [0, 1, -7, 3.25, 1e21, 1e-7, 6379],
    flags: [true, false, null],
    empty: { list: [], map: {}, nested: [[], {}, [[1, 2], []], { a: [] }] },
    '---': 'top-level key that starts a document',
    nested: { '---': 'nested key that starts a document', '%tag': 'x', 'a b': 'c', 'key: x': 'y', 'multi\nline key': 1, '': 'empty key' },
    sequences: [{ name: 'first', ports: [{ port: 80 }] }, ['a', ['b']], 'tail'],
  },
];

/**
 * Writes documents as cdk8s's `Yaml.stringify(...documents)` does, byte for byte, directly where the values allow.
 * It remembers the strings it rendered for as long as it lives, so one writer serves one synthesis.
 */
export class YamlWriter {
  private readonly fastWriter: FastYamlWriter | null;

  constructor() {
    const tags = trustedStringTags();
    this.fastWriter = tags ? new FastYamlWriter(tags) : null;
  }

  public stringify(documents: readonly unknown[]): string {
    let out = '';
    for (let index = 0; index < documents.length; index++) {
      if (index > 0) {
        out += '---\n';
      }
      out += yamlOfDocument(documents[index], this.fastWriter);
    }
    return out;
  }
}

function yamlOfDocument(document: unknown, writer: FastYamlWriter | null): string {
  if (document === undefined) {
    return '\n';
  }
  if (writer) {
    try {
      return writer.document(document);
    } catch {
      // Outside what the writer reproduces, or a value the library is to judge: the library writes it, or throws.
    }
  }
  return Yaml.stringify(document);
}

let probedStringTags: StringTags | null | undefined;

/** The schema's string tags, once the probe documents came out of the fast writer as the library writes them. */
function trustedStringTags(): StringTags | null {
  if (probedStringTags === undefined) {
    const tags = stringTags();
    const writer = tags ? new FastYamlWriter(tags) : undefined;
    probedStringTags = writer && PROBE_DOCUMENTS.every((document) => writesLikeTheLibrary(writer, document)) ? tags! : null;
  }
  return probedStringTags;
}

function writesLikeTheLibrary(writer: FastYamlWriter, document: unknown): boolean {
  try {
    return writer.document(document) === Yaml.stringify(document);
  } catch {
    return false;
  }
}
