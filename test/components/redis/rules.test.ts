import { Chart } from 'cdk8s';
import { DataClass, KubeObject, RedisSentinel, RedisSentinelProps } from '../../../lib';
import { redisBytes, REDIS_MAXMEMORY_HEADROOM, REDIS_MIN_REPLICAS_TO_WRITE, SENTINEL_QUORUM_MAJORITY } from '../../../lib/components/redis/rules';
import { judge } from '../../support/checks';
import { findObject, testScenario } from '../../support/scenario';

/** Our own manifests, rendered without the synthesis checks so that tests can break them. */
function redisManifests(props: RedisSentinelProps = {}): KubeObject[] {
  const scenario = testScenario();
  new RedisSentinel(scenario, 'sessions', props);
  return Chart.prototype.toJson.call(scenario);
}

function withRedisConf(manifests: KubeObject[], edit: (conf: string) => string): KubeObject[] {
  const config = findObject(manifests as any, 'ConfigMap', 'sessions-redis-config');
  return manifests.map((object) =>
    object === config ? { ...config, data: { ...config.data, 'redis.conf': edit(config.data['redis.conf']) } } : object,
  );
}

const redisSet = (manifests: KubeObject[]) => findObject(manifests as any, 'StatefulSet', 'sessions-redis');
const sentinelSet = (manifests: KubeObject[]) => findObject(manifests as any, 'StatefulSet', 'sessions-sentinel');

/** The Bitnami shape: sentinel as a sidecar of each Redis pod, quorum in the mounted sentinel.conf. */
function sidecarSentinels(quorum: number, replicas = 3): KubeObject[] {
  const labels = { app: 'redis' };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'redis-configuration', namespace: 'shop' },
      data: {
        'sentinel.conf': `dir "/tmp"\nsentinel monitor mymaster redis-node-0.redis-headless 6379 ${quorum}\nsentinel down-after-milliseconds mymaster 60000\n`,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis-node', namespace: 'shop' },
      spec: {
        replicas,
        serviceName: 'redis-headless',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              { name: 'redis', image: 'docker.io/bitnami/redis:8.2.1' },
              {
                name: 'sentinel',
                image: 'docker.io/bitnami/redis-sentinel:8.2.1',
                volumeMounts: [{ name: 'config', mountPath: '/opt/bitnami/redis-sentinel/mounted-etc' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'redis-configuration' } }],
          },
        },
      },
    },
  ];
}

describe('redis-min-replicas-to-write: a Redis system of record refuses writes no replica has confirmed', () => {
  test('Compliance: the RedisSentinel default', () => {
    const manifests = redisManifests();
    expect(judge(REDIS_MIN_REPLICAS_TO_WRITE, manifests, redisSet(manifests))).toEqual([]);
  });

  test('Noncompliance 1: min-replicas-to-write 0', () => {
    const manifests = withRedisConf(redisManifests(), (conf) => conf.replace('min-replicas-to-write 1', 'min-replicas-to-write 0'));
    expect(judge(REDIS_MIN_REPLICAS_TO_WRITE, manifests, redisSet(manifests))).toEqual([
      'spec.template.spec.containers[0]: min-replicas-to-write is 0 in the mounted Redis configuration',
    ]);
  });

  test('Noncompliance 2: the setting missing altogether', () => {
    const manifests = withRedisConf(redisManifests(), (conf) => conf.replace(/min-replicas-.*\n/g, ''));
    expect(judge(REDIS_MIN_REPLICAS_TO_WRITE, manifests, redisSet(manifests))).toEqual([
      'spec.template.spec.containers[0]: min-replicas-to-write is unset (0) in the mounted Redis configuration',
    ]);
  });

  test('Not applicable to a cache', () => {
    const manifests = redisManifests({ dataClass: DataClass.CACHE });
    expect(judge(REDIS_MIN_REPLICAS_TO_WRITE, manifests, redisSet(manifests))).toEqual({
      notApplicable: 'not a Redis workload annotated stability-blueprints.io/data-class: system-of-record',
    });
  });
});

describe('redis-maxmemory-headroom: Redis maxmemory leaves headroom below the container memory', () => {
  test('Compliance: the RedisSentinel default (half the memory)', () => {
    const manifests = redisManifests();
    expect(judge(REDIS_MAXMEMORY_HEADROOM, manifests, redisSet(manifests))).toEqual([]);
  });

  test('Noncompliance 1: maxmemory at 90% of the limit', () => {
    const manifests = withRedisConf(redisManifests(), (conf) => conf.replace(/maxmemory \d+/, 'maxmemory 900mb'));
    expect(judge(REDIS_MAXMEMORY_HEADROOM, manifests, redisSet(manifests))).toEqual([
      'spec.template.spec.containers[0]: maxmemory 943718400 bytes is 88% of the 1073741824-byte memory limit',
    ]);
  });

  test('Noncompliance 2: maxmemory unset', () => {
    const manifests = withRedisConf(redisManifests(), (conf) => conf.replace(/maxmemory \d+\n/, ''));
    expect(judge(REDIS_MAXMEMORY_HEADROOM, manifests, redisSet(manifests))).toEqual([
      'spec.template.spec.containers[0]: maxmemory is unset: Redis grows until the kernel kills it',
    ]);
  });

  test('Not applicable to a workload without Redis', () => {
    const manifests = redisManifests();
    expect(judge(REDIS_MAXMEMORY_HEADROOM, manifests, sentinelSet(manifests))).toEqual({ notApplicable: 'no Redis server container' });
  });

  test('reads Redis memory units', () => {
    expect([redisBytes('1gb'), redisBytes('1g'), redisBytes('512mb'), redisBytes('100'), redisBytes('lots')]).toEqual([
      1024 ** 3,
      1e9,
      512 * 1024 ** 2,
      100,
      undefined,
    ]);
  });
});

describe('sentinel-quorum-majority: the sentinel quorum is a majority of an odd number of sentinels', () => {
  test('Compliance: the RedisSentinel default', () => {
    const manifests = redisManifests();
    expect(judge(SENTINEL_QUORUM_MAJORITY, manifests, sentinelSet(manifests))).toEqual([]);
  });

  test('Compliance: sidecar sentinels with quorum 2 of 3 in sentinel.conf', () => {
    const manifests = sidecarSentinels(2);
    expect(judge(SENTINEL_QUORUM_MAJORITY, manifests, manifests[1])).toEqual([]);
  });

  test('Noncompliance 1: quorum 1 of 3 sidecar sentinels', () => {
    const manifests = sidecarSentinels(1);
    expect(judge(SENTINEL_QUORUM_MAJORITY, manifests, manifests[1])).toEqual([
      'spec.template.spec.containers[1]: quorum 1 of 3 sentinels: allowed from 2 (a majority) to 2',
    ]);
  });

  test('Noncompliance 2: four sentinels', () => {
    const manifests = sidecarSentinels(3, 4);
    expect(judge(SENTINEL_QUORUM_MAJORITY, manifests, manifests[1])).toEqual(['spec.replicas: 4 sentinels: run an odd number of at least 3']);
  });

  test('Noncompliance 3: no quorum anywhere', () => {
    const [, statefulSet] = sidecarSentinels(2);
    expect(judge(SENTINEL_QUORUM_MAJORITY, [statefulSet])).toEqual([
      'spec.template.spec.containers[1]: no quorum found (QUORUM variable or a "sentinel monitor" line in the mounted configuration)',
    ]);
  });

  test('Not applicable without a sentinel', () => {
    const manifests = redisManifests();
    expect(judge(SENTINEL_QUORUM_MAJORITY, manifests, redisSet(manifests))).toEqual({ notApplicable: 'no Redis Sentinel container' });
  });
});
