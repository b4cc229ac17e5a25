import { KubeObject } from '../../../lib';
import { OBJECT_DEFINED_ONCE } from '../../../lib/checks/rules/manifest-set';
import { judge } from '../../support/checks';

function configMap(name: string, namespace: string | undefined, apiVersion = 'v1'): KubeObject {
  return { apiVersion, kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data: {} };
}

describe('object-defined-once: no two objects share an API group, kind, namespace and name', () => {
  test('Compliance 1: the same name in two namespaces, and for two kinds', () => {
    const objects = [
      configMap('cache', 'shop'),
      configMap('cache', 'payments'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cache', namespace: 'shop' } },
    ];
    expect(objects.map((object) => judge(OBJECT_DEFINED_ONCE, objects, object))).toEqual([[], [], []]);
  });

  test('Violation 1: two scenarios in one namespace define the same ConfigMap; both copies are named', () => {
    const objects = [configMap('cache', 'shop'), configMap('cache', 'shop')];
    const message = 'metadata.name: 2 objects are ConfigMap/shop/cache (v1): applying them keeps only the last';
    expect(judge(OBJECT_DEFINED_ONCE, objects, objects[0])).toEqual([message, message]);
  });

  test('Violation 2: API versions of one group are one object', () => {
    const objects = [configMap('cache', undefined, 'example.com/v1'), configMap('cache', undefined, 'example.com/v2')];
    expect(judge(OBJECT_DEFINED_ONCE, objects, objects[1])).toEqual([
      'metadata.name: 2 objects are ConfigMap/cache (example.com/v1): applying them keeps only the last',
      'metadata.name: 2 objects are ConfigMap/cache (example.com/v2): applying them keeps only the last',
    ]);
  });
});
