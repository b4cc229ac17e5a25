import { App as Cdk8sApp, ApiObject, Chart, Yaml } from 'cdk8s';
import { BusinessScenario, DataClass, RedisSentinel, Tier } from '../../lib';
import { YamlWriter } from '../../lib/synth/yaml';
import { buildShop } from '../../examples/main';
import { seededRandom } from './support';

/*
 * Our YAML writer against cdk8s's Yaml.stringify, in both jest projects: cdk8s 2.70 bundles yaml 2.9.1, cdk8s 2.68.12
 * yaml 2.3.2. The writer must give the same bytes for every input, and write the ordinary ones without the library.
 */

function manifestsOf(app: Cdk8sApp): unknown[] {
  return app.charts.flatMap((chart) =>
    chart.node
      .findAll()
      .filter(ApiObject.isApiObject)
      .filter((apiObject) => Chart.of(apiObject) === chart)
      .map((apiObject) => apiObject.toJson()),
  );
}

function expectSameAsCdk8s(documents: readonly unknown[]): void {
  const expected = documents.map((document) => Yaml.stringify(document));
  const writer = new YamlWriter();
  documents.forEach((document, index) => expect(writer.stringify([document])).toBe(expected[index]));
  // Again, with every string already rendered once, and as one stream.
  expect(writer.stringify(documents)).toBe(expected.join('---\n'));
}

/** Calls to cdk8s's Yaml.stringify while `write` runs, after the writers' one-time probe. */
function libraryCallsDuring(write: (writer: YamlWriter) => void): number {
  const writer = new YamlWriter();
  const spy = jest.spyOn(Yaml, 'stringify');
  try {
    write(writer);
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('YamlWriter', () => {
  test('GIVEN the example shop WHEN written THEN every manifest is byte for byte what cdk8s writes, without the library', () => {
    // GIVEN
    const app = new Cdk8sApp();
    buildShop(app);
    const documents = manifestsOf(app);

    // THEN
    expectSameAsCdk8s(documents);
    expect(libraryCallsDuring((writer) => writer.stringify(documents))).toBe(0);
  });

  test.each([
    [Tier.CRITICAL, DataClass.SYSTEM_OF_RECORD],
    [Tier.HIGH, DataClass.CACHE],
    [Tier.STANDARD, DataClass.SYSTEM_OF_RECORD],
    [Tier.BEST_EFFORT, DataClass.CACHE],
  ])('GIVEN a %s %s RedisSentinel WHEN written THEN it is what cdk8s writes, without the library', (tier, dataClass) => {
    // GIVEN
    const app = new Cdk8sApp();
    const scenario = new BusinessScenario(app, 'checkout', { owner: 'team-checkout', tier, namespace: 'checkout' });
    new RedisSentinel(scenario, 'sessions', { dataClass });
    const documents = manifestsOf(app);

    // THEN
    expectSameAsCdk8s(documents);
    expect(libraryCallsDuring((writer) => writer.stringify(documents))).toBe(0);
  });

  test('GIVEN 3,000 random documents of awkward keys and strings WHEN written THEN each is what cdk8s writes', () => {
    // GIVEN
    const random = seededRandom(20261126);
    const documents = Array.from({ length: 3_000 }, () => randomDocument(random));

    // THEN
    expectSameAsCdk8s(documents);
  });

  test('GIVEN more distinct strings than one writer remembers WHEN written THEN it forgets them and still writes what cdk8s writes', () => {
    // GIVEN 210,000 distinct keys and values, past the 200,000 strings the writer keeps
    const documents = Array.from({ length: 105 }, (_, document) =>
      Object.fromEntries(Array.from({ length: 1_000 }, (_, entry) => [`key-${document}-${entry}`, `value ${document} ${entry}`])),
    );

    // THEN
    expectSameAsCdk8s(documents);
  });

  test.each<[string, unknown]>([
    ['a Date', { at: new Date(0) }],
    ['a Map', { entries: new Map([['a', 1]]) }],
    ['a Set', { members: new Set([1]) }],
    ['bytes', { data: new Uint8Array([1, 2]) }],
    ['an undefined value', { a: undefined, b: [undefined] }],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole in an array', { list: [1, , 3] }],
    [
      'an object met twice',
      (() => {
        const shared = { port: 80 };
        return { first: shared, second: shared };
      })(),
    ],
    [
      'an array met twice',
      (() => {
        const shared = ['a'];
        return { first: shared, second: [shared] };
      })(),
    ],
    ['negative zero', { zero: -0 }],
    ['NaN and infinities', { values: [NaN, Infinity, -Infinity] }],
    ['a bigint', { big: BigInt(10) }],
    ['a key over 1,024 characters', { ['k'.repeat(1_100)]: 'v' }],
    ['a string of blanks and line breaks', { blank: ' \n', tab: '\t\n', newline: '\n' }],
    ['an object with toJSON', { custom: { toJSON: () => 'custom' } }],
    [
      'an instance of a class',
      {
        instance: new (class Port {
          public port = 80;
        })(),
      },
    ],
    ['a string at the root', 'just text'],
    ['an array at the root', ['a', 'b']],
    ['null at the root', null],
    ['a number at the root', 42],
  ])('GIVEN %s WHEN written THEN cdk8s writes it, the same as ever', (_, document) => {
    expectSameAsCdk8s([document]);
  });

  test('GIVEN undefined documents among others WHEN written THEN they are empty documents, as cdk8s writes them', () => {
    expectSameAsCdk8s([undefined, { a: 1 }, undefined]);
  });

  test('GIVEN a yaml library whose output the load-time probe does not match WHEN written THEN the library writes every document', () => {
    jest.isolateModules(() => {
      // GIVEN a fresh copy of both modules, so that the probe runs again, against a library that writes otherwise
      /* eslint-disable @typescript-eslint/no-require-imports */
      const isolatedCdk8s: typeof import('cdk8s') = require('cdk8s');
      const isolated: typeof import('../../lib/synth/yaml') = require('../../lib/synth/yaml');
      /* eslint-enable @typescript-eslint/no-require-imports */
      jest.spyOn(isolatedCdk8s.Yaml, 'stringify').mockImplementation(() => 'written by the library\n');

      // WHEN
      const yaml = new isolated.YamlWriter().stringify([{ a: 1 }, { b: 2 }]);

      // THEN
      expect(yaml).toBe('written by the library\n---\nwritten by the library\n');
    });
  });

  test('GIVEN a value the fast path leaves WHEN written THEN only that document goes through the library', () => {
    // GIVEN
    const documents = [{ a: 1 }, { at: new Date(0) }, { b: 2 }];

    // THEN
    expect(libraryCallsDuring((writer) => writer.stringify(documents))).toBe(1);
  });
});

const STRING_PARTS = [
  'a',
  'Z',
  'x y',
  '0',
  '17',
  '-',
  '- ',
  '?',
  '? ',
  ':',
  ': ',
  ':x',
  'a:',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\n ',
  ' \n',
  '#',
  ' #',
  'a#b',
  '"',
  "'",
  '%',
  '---',
  '...',
  '--- x',
  '\n---\n',
  '\n...\n',
  '|',
  '>',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
  '@',
  '`',
  '~',
  '\\',
  '<<',
  'true',
  'No',
  'null',
  'NULL',
  'y',
  'n',
  'on',
  'OFF',
  '0x1F',
  '0o17',
  '0b1',
  '017',
  '1e3',
  '1E-3',
  '.5',
  '5.',
  '+1',
  '-1',
  '1_000',
  '1:20',
  '1:20.5',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '.inf',
  '-.Inf',
  '.nan',
  'é',
  'ß',
  '\u00a0',
  '\u0007',
  '\u0000',
  '\u0085',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud83d\ude00',
  '\ud800',
  '\udc00',
  '\x7f',
  '\x9f',
  '\r',
  '\r\n',
  '|+',
  '>-',
  '  x',
  'x  ',
  'https://x.y/z?a=b#c',
  'key: value # comment',
  '${VAR}',
];

function randomString(random: () => number, maxParts: number): string {
  let text = '';
  const parts = Math.floor(random() * (maxParts + 1));
  for (let index = 0; index < parts; index++) {
    text += STRING_PARTS[Math.floor(random() * STRING_PARTS.length)];
  }
  return random() < 0.05 ? `${text}\n${'line of a longer script\n'.repeat(3)}${text}` : text;
}

function randomValue(random: () => number, depth: number): unknown {
  const roll = random();
  if (depth < 4 && roll < 0.2) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  }
  if (depth < 4 && roll < 0.4) {
    return randomMap(random, depth + 1);
  }
  if (roll < 0.5) {
    const numbers = [0, 1, -1, 42, 6379, 3.5, -0.25, 1e21, 1e-7, 2 ** 53, Number.MAX_VALUE];
    return numbers[Math.floor(random() * numbers.length)];
  }
  if (roll < 0.55) {
    return random() < 0.5;
  }
  if (roll < 0.58) {
    return null;
  }
  return randomString(random, 6);
}

function randomMap(random: () => number, depth: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  const size = Math.floor(random() * 5);
  for (let index = 0; index < size; index++) {
    map[randomString(random, 3)] = randomValue(random, depth);
  }
  return map;
}

function randomDocument(random: () => number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Fuzz', ...randomMap(random, 0) };
}
