import { Testing } from 'cdk8s';
import { AppendFsync, DataClass, RedisSentinel, RedisSentinelProps, Tier } from '../../../lib';
import { validateManifest } from '../../../lib/checks/schema/strict-schema';
import { testScenario } from '../../support/scenario';

describe('RedisSentinel manifests', () => {
  test.each<[string, Tier, RedisSentinelProps]>([
    ['CRITICAL system of record', Tier.CRITICAL, {}],
    ['CRITICAL cache', Tier.CRITICAL, { dataClass: DataClass.CACHE }],
    ['HIGH system of record, fsync always, 5 of each', Tier.HIGH, { appendFsync: AppendFsync.ALWAYS, replicas: 5, sentinels: 5 }],
    ['BEST_EFFORT cache without a password', Tier.BEST_EFFORT, { dataClass: DataClass.CACHE, passwordAuthentication: false }],
    ['CRITICAL system of record with a master endpoint and a password version', Tier.CRITICAL, { masterEndpoint: true, passwordSecretVersion: '2' }],
  ])('%s: every object is strictly valid against the Kubernetes schema', (_case, tier, props) => {
    // GIVEN
    const scenario = testScenario({ tier });
    new RedisSentinel(scenario, 'sessions', props);

    // WHEN
    const violations = Testing.synth(scenario).flatMap((manifest) =>
      validateManifest(manifest).map((violation) => `${manifest.kind}/${manifest.metadata.name} ${violation.path}: ${violation.message}`),
    );

    // THEN
    expect(violations).toEqual([]);
  });
});
