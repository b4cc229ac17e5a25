import { KubeObject } from '../../../lib';
import { RULE_CATALOG } from '../../../lib/checks/catalog';
import { MANIFEST_KINDS, SCHEMA_VALID } from '../../../lib/checks/rules/schema';
import { judge, statefulSet } from '../../support/checks';

const configMap = (fields: object): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'config', namespace: 'shop' },
  ...fields,
});

describe('schema-valid: the object is valid against the strict Kubernetes schema', () => {
  test('Compliance 1: a ConfigMap', () => {
    expect(judge(SCHEMA_VALID, [configMap({ data: { 'redis.conf': 'port 6379\n' } })])).toEqual([]);
  });

  test('Compliance 2: a StatefulSet', () => {
    expect(judge(SCHEMA_VALID, [statefulSet('store')])).toEqual([]);
  });

  test('Noncompliance 1: a misspelt field the API server would drop silently', () => {
    const store = statefulSet('store');
    store.spec.template.spec.containers[0].securityContex = { runAsNonRoot: true };
    expect(judge(SCHEMA_VALID, [store])).toEqual(['spec.template.spec.containers[0].securityContex: unknown field "securityContex"']);
  });

  test('Noncompliance 2: a value of the wrong type', () => {
    expect(judge(SCHEMA_VALID, [statefulSet('store', { replicas: 'three' as unknown as number })])).toEqual([
      'spec.replicas: must be of type integer',
    ]);
  });

  test('Noncompliance 3: an apiVersion the schema does not know for the kind', () => {
    expect(judge(SCHEMA_VALID, [{ ...configMap({}), apiVersion: 'v2' }])).toEqual(['kind: unknown apiVersion/kind "v2/ConfigMap"']);
  });

  test('covers every kind another rule of the catalog looks at', () => {
    const judged = new Set(RULE_CATALOG.flatMap((rule) => rule.targets));
    expect([...judged].filter((kind) => !MANIFEST_KINDS.includes(kind))).toEqual([]);
  });
});
