import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CheckInput, Rule, RULE_FAILED, runChecks } from '../../../lib';
import { format, SARIF_SCHEMA } from '../../../lib/checks/reporters/sarif';
import { STDIN_NAME } from '../../../lib/checks/load';
import { statefulSet } from '../../support/checks';
import { FAKE_CATALOG, NEEDS_PDB, sampleReport } from '../../support/fake-rules';
// The SARIF 2.1.0 schema as shipped by the npm package @microsoft/jest-sarif (MIT), from SchemaStore.
import sarifSchema from '../../fixtures/cli/sarif-schema-2.1.0-rtm.5.json';

/**
 * The schema is draft-04, which Ajv 8 has no meta-schema for; the keywords it uses mean the same in Ajv's default draft
 * once its `id` is spelled `$id`.
 */
function sarifValidator() {
  const { id, ...schema } = sarifSchema as any;
  delete schema.$schema;
  // The schema's `language` pattern is not a valid Unicode-mode regular expression.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ ...schema, $id: id });
}

const validate = sarifValidator();

function sarifOf(inputs: CheckInput[], rules: readonly Rule[] = [NEEDS_PDB], cwd = '/work/repo'): any {
  return JSON.parse(format(runChecks(inputs, rules, FAKE_CATALOG), { toolVersion: '1.2.3', cwd }));
}

describe('sarif report', () => {
  test('is a valid SARIF 2.1.0 log', () => {
    // WHEN
    const log = JSON.parse(format(sampleReport(), { toolVersion: '1.2.3' }));

    // THEN
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.version).toBe('2.1.0');
  });

  test('the driver lists the rules that ran with their title, rationale, fix and level', () => {
    // WHEN
    const driver = JSON.parse(format(sampleReport(), { toolVersion: '1.2.3' })).runs[0].tool.driver;

    // THEN
    expect(driver.name).toBe('stability-blueprints');
    expect(driver.version).toBe('1.2.3');
    expect(driver.rules.map((rule: any) => rule.id)).toEqual(['needs-pdb', 'enough-replicas', 'rule-failed', 'invalid-suppression']);
    expect(driver.rules[1]).toEqual({
      id: 'enough-replicas',
      name: 'EnoughReplicas',
      shortDescription: { text: 'A workload runs at least 3 replicas' },
      fullDescription: { text: 'One replica down for an upgrade should leave two serving.' },
      help: { text: 'Set spec.replicas to 3 or more.' },
      defaultConfiguration: { level: 'warning' },
      properties: { targets: ['StatefulSet', 'Deployment'], enabledByDefault: true, unsuppressible: false },
    });
  });

  test('a result has rule, level, a message with object and path, the file and start line, and the object as logical location', () => {
    // WHEN
    const [error, warning] = JSON.parse(format(sampleReport(), { toolVersion: '1.2.3' })).runs[0].results;

    // THEN
    expect(warning).toEqual({
      ruleId: 'enough-replicas',
      ruleIndex: 1,
      level: 'warning',
      message: { text: 'StatefulSet/shop/redis at spec.replicas: 2 replicas, fewer than 3' },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'manifests/redis.yaml' }, region: { startLine: 4 } },
          logicalLocations: [{ fullyQualifiedName: 'StatefulSet/shop/redis', kind: 'resource' }],
        },
      ],
      suppressions: [],
    });
    expect(error.message.text).toBe('StatefulSet/shop/redis: no PodDisruptionBudget in the namespace');
  });

  test('a suppressed finding stays in the log with an in-source suppression giving the reason', () => {
    // WHEN
    const suppressed = JSON.parse(format(sampleReport(), { toolVersion: '1.2.3' })).runs[0].results[2];

    // THEN
    expect(suppressed.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'scaled out by its HPA' }]);
  });

  test('a synthesized object or one from standard input has logical locations only; a construct path is one of them', () => {
    // WHEN
    const log = sarifOf([
      { object: statefulSet('a'), location: { constructPath: 'shop/a/Resource' } },
      { object: statefulSet('b'), location: { file: STDIN_NAME, line: 3 } },
    ]);

    // THEN
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].results.map((result: any) => result.locations)).toEqual([
      [
        {
          logicalLocations: [
            { fullyQualifiedName: 'StatefulSet/shop/a', kind: 'resource' },
            { fullyQualifiedName: 'shop/a/Resource', kind: 'module' },
          ],
        },
      ],
      [{ logicalLocations: [{ fullyQualifiedName: 'StatefulSet/shop/b', kind: 'resource' }] }],
    ]);
  });

  test('file names become URI references: relative under the working directory, file URIs outside it, escaped', () => {
    // WHEN
    const log = sarifOf([
      { object: statefulSet('a'), location: { file: '/work/repo/deploy/my app.yaml', line: 1 } },
      { object: statefulSet('b'), location: { file: '/elsewhere/b.yaml', line: 2 } },
      { object: statefulSet('c'), location: { file: '../sibling/c#1.yaml', line: 3 } },
    ]);

    // THEN
    expect(log.runs[0].results.map((result: any) => result.locations[0].physicalLocation.artifactLocation.uri)).toEqual([
      'deploy/my%20app.yaml',
      'file:///elsewhere/b.yaml',
      '../sibling/c%231.yaml',
    ]);
  });

  test("the engine's own rules join the driver when they report, even if not selected", () => {
    // GIVEN only a rule that throws is selected
    const throwing: Rule = {
      ...NEEDS_PDB,
      id: 'throwing',
      check: () => {
        throw new Error('cannot read spec');
      },
    };

    // WHEN
    const log = sarifOf([{ object: statefulSet('a'), location: { file: 'a.yaml', line: 1 } }], [throwing]);

    // THEN
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].tool.driver.rules.map((rule: any) => rule.id)).toEqual(['throwing', RULE_FAILED.id]);
    expect(log.runs[0].results).toMatchObject([{ ruleId: RULE_FAILED.id, ruleIndex: 1, level: 'error' }]);
  });

  test('the schema check catches a broken log', () => {
    // GIVEN
    const log = JSON.parse(format(sampleReport(), { toolVersion: '1.2.3' }));
    log.runs[0].results[0].level = 'fatal';

    // THEN
    expect(validate(log)).toBe(false);
  });
});
