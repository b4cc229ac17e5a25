import { SYSTEM_OF_RECORD_RETAINED_VOLUMES } from '../../../lib/checks/rules/durability';
import { judge, statefulSet } from '../../support/checks';

const systemOfRecord = (spec: object) => statefulSet('orders', { annotations: { 'stability-blueprints.io/data-class': 'system-of-record' }, spec });
const claims = { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] };

describe('system-of-record-retained-volumes: a system of record keeps its data on volume claims that outlive the StatefulSet', () => {
  test('Compliance: claims retained explicitly', () => {
    expect(
      judge(SYSTEM_OF_RECORD_RETAINED_VOLUMES, [
        systemOfRecord({ ...claims, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } }),
      ]),
    ).toEqual([]);
  });

  test('Compliance: claims with the API default retention (Retain)', () => {
    expect(judge(SYSTEM_OF_RECORD_RETAINED_VOLUMES, [systemOfRecord(claims)])).toEqual([]);
  });

  test('Noncompliance 1: no volume claims', () => {
    expect(judge(SYSTEM_OF_RECORD_RETAINED_VOLUMES, [systemOfRecord({})])).toEqual([
      'spec.volumeClaimTemplates: no volumeClaimTemplates: the data lives and dies with the pod',
    ]);
  });

  test('Noncompliance 2: claims deleted with the StatefulSet and on scale-down', () => {
    expect(
      judge(SYSTEM_OF_RECORD_RETAINED_VOLUMES, [
        systemOfRecord({ ...claims, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }),
      ]),
    ).toEqual([
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: whenDeleted: Delete deletes the data',
      'spec.persistentVolumeClaimRetentionPolicy.whenScaled: whenScaled: Delete deletes the data',
    ]);
  });

  test('Not applicable to a cache', () => {
    expect(
      judge(SYSTEM_OF_RECORD_RETAINED_VOLUMES, [statefulSet('cache', { annotations: { 'stability-blueprints.io/data-class': 'cache' } })]),
    ).toEqual({
      notApplicable: 'not annotated stability-blueprints.io/data-class: system-of-record',
    });
  });
});
