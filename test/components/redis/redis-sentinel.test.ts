import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppendFsync, DataClass, EvictionPolicy, Peer, RedisSentinel, RedisSentinelProps, Tier } from '../../../lib';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthRedis(props: RedisSentinelProps = {}, tier = Tier.CRITICAL): Manifest[] {
  const scenario = testScenario({ tier });
  new RedisSentinel(scenario, 'sessions', props);
  return Testing.synth(scenario);
}

function redisConf(manifests: Manifest[]): string[] {
  return findObject(manifests, 'ConfigMap', 'sessions-redis-config').data['redis.conf'].split('\n');
}

function container(manifests: Manifest[], statefulSet: string): any {
  return findObject(manifests, 'StatefulSet', statefulSet).spec.template.spec.containers[0];
}

function env(manifests: Manifest[], statefulSet: string): Record<string, unknown> {
  return Object.fromEntries(container(manifests, statefulSet).env.map((variable: any) => [variable.name, variable.value ?? variable.valueFrom]));
}

describe('RedisSentinel', () => {
  test('defaults: a SYSTEM_OF_RECORD set in the CRITICAL tier', () => {
    expect(synthRedis()).toMatchSnapshot();
  });

  test('defaults: a CACHE set', () => {
    expect(synthRedis({ dataClass: DataClass.CACHE })).toMatchSnapshot();
  });

  test('emits the objects of a set: two StatefulSets with headless Services and PDBs, a sentinel Service, config, policies', () => {
    // WHEN
    const manifests = synthRedis();

    // THEN
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`)).toEqual([
      'ConfigMap/sessions-redis-config',
      'ConfigMap/sessions-redis-scripts',
      'ServiceAccount/sessions-redis-pods',
      'Service/sessions-redis-headless',
      'StatefulSet/sessions-redis',
      'PodDisruptionBudget/sessions-redis-budget',
      'ServiceAccount/sessions-sentinel-pods',
      'Service/sessions-sentinel-headless',
      'StatefulSet/sessions-sentinel',
      'PodDisruptionBudget/sessions-sentinel-budget',
      'Service/sessions-sentinel-service',
      'NetworkPolicy/sessions-redis-policy',
      'NetworkPolicy/sessions-sentinel-policy',
      'PodMonitor/sessions-redis-monitor',
      'PrometheusRule/sessions-redis-alerts',
      'ConfigMap/sessions-redis-dashboard',
    ]);
    for (const manifest of manifests) {
      expect(manifest.metadata).toEqual(
        expect.objectContaining({
          namespace: 'shop',
          labels: expect.objectContaining({
            'app.kubernetes.io/name': 'redis',
            'app.kubernetes.io/instance': 'sessions',
            'app.kubernetes.io/part-of': 'shop',
            'app.kubernetes.io/managed-by': 'stability-blueprints',
          }),
          annotations: expect.objectContaining({
            'stability-blueprints.io/component': 'redis-sentinel',
            'stability-blueprints.io/tier': 'critical',
            'stability-blueprints.io/scenario': 'shop',
            'stability-blueprints.io/owner': 'team-checkout',
            'stability-blueprints.io/data-class': 'system-of-record',
          }),
        }),
      );
    }
  });

  test('clients reach the set only through the sentinels: no load-balanced Service over Redis pods', () => {
    // WHEN
    const services = synthRedis().filter((manifest) => manifest.kind === 'Service');

    // THEN
    const clientServices = services.filter((service) => service.spec.clusterIP !== 'None');
    expect(clientServices.map((service) => [service.metadata.name, service.spec.selector['app.kubernetes.io/component']])).toEqual([
      ['sessions-sentinel-service', 'sentinel'],
    ]);
  });

  test('SYSTEM_OF_RECORD: AOF fsynced every second, one replica confirms each write, no eviction, data on retained volumes', () => {
    // WHEN
    const manifests = synthRedis();

    // THEN
    expect(redisConf(manifests)).toEqual(
      expect.arrayContaining([
        'appendonly yes',
        'appendfsync everysec',
        'min-replicas-to-write 1',
        'min-replicas-max-lag 2',
        'maxmemory-policy noeviction',
      ]),
    );
    const statefulSet = findObject(manifests, 'StatefulSet', 'sessions-redis');
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(statefulSet.spec.volumeClaimTemplates.map((claim: any) => [claim.metadata.name, claim.spec.resources.requests.storage])).toEqual([
      ['data', '4096Mi'],
    ]);
  });

  test('SYSTEM_OF_RECORD with AppendFsync.ALWAYS fsyncs every write', () => {
    expect(redisConf(synthRedis({ appendFsync: AppendFsync.ALWAYS }))).toContain('appendfsync always');
  });

  test('CACHE: no persistence, LRU eviction, no replica confirmation, data on an emptyDir', () => {
    // WHEN
    const manifests = synthRedis({ dataClass: DataClass.CACHE });

    // THEN
    const conf = redisConf(manifests);
    expect(conf).toEqual(expect.arrayContaining(['appendonly no', 'save ""', 'maxmemory-policy allkeys-lru', 'min-replicas-to-write 0']));
    const statefulSet = findObject(manifests, 'StatefulSet', 'sessions-redis');
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([]);
    expect(statefulSet.spec.template.spec.volumes[0]).toEqual({ name: 'data', emptyDir: { sizeLimit: '1024Mi' } });
  });

  test('the isolated master stops taking writes before the sentinels start a failover', () => {
    // WHEN
    const manifests = synthRedis({ downAfterMilliseconds: 8000 });

    // THEN
    expect(redisConf(manifests)).toContain('min-replicas-max-lag 5');
    expect(env(manifests, 'sessions-redis').DOWN_AFTER_MILLISECONDS).toBe('8000');
  });

  test('maxmemory is written in bytes: half the memory request, the rest for replica buffers and fork copy-on-write', () => {
    // WHEN
    const conf = redisConf(synthRedis({ memory: Size.gibibytes(2) }));

    // THEN
    expect(conf).toContain(`maxmemory ${1024 * 1024 * 1024}`);
    expect(conf).toContain('client-output-buffer-limit replica 204mb 102mb 60');
  });

  test('an explicit maxmemory is honoured', () => {
    expect(redisConf(synthRedis({ memory: Size.gibibytes(2), maxmemory: Size.mebibytes(1536) }))).toContain(`maxmemory ${1536 * 1024 * 1024}`);
  });

  test('memory limit equals the request and there is no CPU limit', () => {
    expect(container(synthRedis({ memory: Size.gibibytes(2), cpuMillis: 750 }), 'sessions-redis').resources).toEqual({
      requests: { cpu: '750m', memory: '2048Mi' },
      limits: { memory: '2048Mi' },
    });
  });

  test('sentinels announce stable host names and keep their state on a retained volume', () => {
    // WHEN
    const manifests = synthRedis();

    // THEN
    const sentinelConf = findObject(manifests, 'ConfigMap', 'sessions-redis-config').data['sentinel.conf'];
    expect(sentinelConf).toContain('sentinel resolve-hostnames yes\nsentinel announce-hostnames yes\n');
    const sentinels = findObject(manifests, 'StatefulSet', 'sessions-sentinel');
    expect(sentinels.spec.replicas).toBe(3);
    expect(sentinels.spec.volumeClaimTemplates.map((claim: any) => [claim.metadata.name, claim.spec.resources.requests.storage])).toEqual([
      ['sentinel-data', '256Mi'],
    ]);
    expect(sentinels.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(container(manifests, 'sessions-sentinel').volumeMounts).toContainEqual({ name: 'sentinel-data', mountPath: '/data' });
  });

  test('the scripts compute every peer name from the stable DNS names, with the scenario cluster domain', () => {
    // WHEN
    const scenario = testScenario({ clusterDomain: 'prod.example' });
    new RedisSentinel(scenario, 'sessions', {});
    const manifests = Testing.synth(scenario);

    // THEN
    expect(env(manifests, 'sessions-redis')).toEqual(
      expect.objectContaining({
        REDIS_STATEFULSET: 'sessions-redis',
        REDIS_SERVICE: 'sessions-redis-headless',
        SENTINEL_STATEFULSET: 'sessions-sentinel',
        SENTINEL_SERVICE: 'sessions-sentinel-headless',
        CLUSTER_DOMAIN: 'prod.example',
        POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
        POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      }),
    );
    const scripts = findObject(manifests, 'ConfigMap', 'sessions-redis-scripts').data;
    expect(scripts['start-redis.sh']).toContain('printf \'replica-announce-ip %s\\n\' "$SELF"');
    expect(scripts['start-sentinel.sh']).toContain('printf \'sentinel announce-ip %s\\n\' "$SELF"');
  });

  test('the password comes from the named Secret and never appears in a manifest', () => {
    // WHEN
    const manifests = synthRedis({ passwordSecretName: 'sessions-credentials', passwordSecretKey: 'redis' });

    // THEN
    for (const statefulSet of ['sessions-redis', 'sessions-sentinel']) {
      expect(env(manifests, statefulSet).REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'sessions-credentials', key: 'redis', optional: false } });
    }
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
  });

  test('without password authentication no Secret is referenced', () => {
    expect(env(synthRedis({ passwordAuthentication: false }), 'sessions-redis').REDIS_PASSWORD).toBeUndefined();
  });

  test('the master hands over in preStop, within a grace period that covers the handover and the shutdown', () => {
    // WHEN
    const manifests = synthRedis({ handoverTimeoutSeconds: 20, shutdownTimeoutSeconds: 8 });

    // THEN
    const redis = container(manifests, 'sessions-redis');
    expect(redis.lifecycle).toEqual({ preStop: { exec: { command: ['sh', '/scripts/prestop-redis.sh'] } } });
    expect(findObject(manifests, 'StatefulSet', 'sessions-redis').spec.template.spec.terminationGracePeriodSeconds).toBe(33);
    expect(redisConf(manifests)).toContain('shutdown-timeout 8');
  });

  test('liveness and readiness run different checks: readiness requires a synced replication link', () => {
    // WHEN
    const redis = container(synthRedis(), 'sessions-redis');

    // THEN
    expect(redis.livenessProbe.exec.command).toEqual(['sh', '/scripts/probe-redis.sh', 'liveness']);
    expect(redis.readinessProbe.exec.command).toEqual(['sh', '/scripts/probe-redis.sh', 'readiness']);
    expect(redis.startupProbe.periodSeconds * redis.startupProbe.failureThreshold).toBeGreaterThanOrEqual(10 + 300);
  });

  test('the PDBs keep a sentinel quorum and a majority of Redis pods that can still take writes', () => {
    // WHEN
    const manifests = synthRedis({ replicas: 5, sentinels: 5, quorum: 4, minReplicasToWrite: 2 });

    // THEN
    expect(findObject(manifests, 'PodDisruptionBudget', 'sessions-redis-budget').spec.maxUnavailable).toBe(2);
    expect(findObject(manifests, 'PodDisruptionBudget', 'sessions-sentinel-budget').spec.maxUnavailable).toBe(1);
  });

  test('CRITICAL: hard zone spread over the scenario zones and required host anti-affinity, at the critical priority', () => {
    // WHEN
    const scenario = testScenario({ zones: 4 });
    new RedisSentinel(scenario, 'sessions');
    const pod = findObject(Testing.synth(scenario), 'StatefulSet', 'sessions-redis').spec.template.spec;

    // THEN
    expect(pod.priorityClassName).toBe('stability-blueprints-critical');
    expect(pod.topologySpreadConstraints[0]).toEqual(expect.objectContaining({ whenUnsatisfiable: 'DoNotSchedule', minDomains: 4, maxSkew: 1 }));
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('STANDARD: soft spread, preferred anti-affinity and slower failure detection', () => {
    // WHEN
    const manifests = synthRedis({}, Tier.STANDARD);

    // THEN
    const pod = findObject(manifests, 'StatefulSet', 'sessions-redis').spec.template.spec;
    expect(pod.priorityClassName).toBe('stability-blueprints-standard');
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(env(manifests, 'sessions-redis').DOWN_AFTER_MILLISECONDS).toBe('10000');
  });

  test('every tier knob can be overridden per component', () => {
    // WHEN
    const manifests = synthRedis(
      {
        tier: Tier.HIGH,
        replicas: 4,
        priorityClassName: 'platform-databases',
        requiredHostAntiAffinity: true,
        downAfterMilliseconds: 4000,
        failoverTimeoutMilliseconds: 20000,
        evictionPolicy: EvictionPolicy.NO_EVICTION,
      },
      Tier.STANDARD,
    );

    // THEN
    const statefulSet = findObject(manifests, 'StatefulSet', 'sessions-redis');
    expect(statefulSet.spec.replicas).toBe(4);
    expect(statefulSet.spec.template.spec.priorityClassName).toBe('platform-databases');
    expect(statefulSet.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(statefulSet.metadata.annotations['stability-blueprints.io/tier']).toBe('high');
    expect(env(manifests, 'sessions-redis')).toEqual(
      expect.objectContaining({ DOWN_AFTER_MILLISECONDS: '4000', FAILOVER_TIMEOUT_MILLISECONDS: '20000' }),
    );
  });

  test('allowFrom admits a workload on the Redis and Sentinel ports, and nobody else', () => {
    // GIVEN
    const scenario = testScenario();
    const redis = new RedisSentinel(scenario, 'sessions');
    const cart = new kplus.Deployment(scenario, 'cart', { containers: [{ image: 'cart:1.0.0', portNumber: 8080 }] });

    // WHEN
    redis.allowFrom(Peer.workload(cart));
    const manifests = Testing.synth(scenario);

    // THEN
    const cartPeer = {
      podSelector: { matchLabels: cart.matchLabels },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
    };
    const redisPolicy = findObject(manifests, 'NetworkPolicy', 'sessions-redis-policy');
    expect(redisPolicy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(redisPolicy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: redis.redis.selector } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      { from: [{ podSelector: { matchLabels: redis.sentinel.selector } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: {} } }],
        ports: [{ protocol: 'TCP', port: 9121 }],
      },
      { from: [cartPeer], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]);
    const sentinelPolicy = findObject(manifests, 'NetworkPolicy', 'sessions-sentinel-policy');
    expect(sentinelPolicy.spec.ingress).toContainEqual({ from: [cartPeer], ports: [{ protocol: 'TCP', port: 26379 }] });
  });

  test('the configuration hash on the pods changes with the configuration, so a change rolls the pods', () => {
    // WHEN
    const hash = (props: RedisSentinelProps) =>
      findObject(synthRedis(props), 'StatefulSet', 'sessions-redis').spec.template.metadata.annotations[
        'stability-blueprints.io/component-config-hash'
      ];

    // THEN
    expect(hash({})).toEqual(hash({}));
    expect(hash({})).not.toEqual(hash({ appendFsync: AppendFsync.ALWAYS }));
  });
});

describe('RedisSentinel.clientEnv', () => {
  /** The env of a Deployment given `clientEnv(prefix)` of a set built with `props` in `scenario`. */
  function clientEnvOf(props: RedisSentinelProps = {}, prefix?: string, scenario = testScenario()): Record<string, unknown> {
    const store = new RedisSentinel(scenario, 'sessions', props);
    new kplus.Deployment(scenario, 'cart', {
      containers: [{ image: 'registry.example.com/shop/cart:1.4.2', envVariables: store.clientEnv(prefix) }],
    });
    const deployment = Testing.synth(scenario).find((manifest) => manifest.kind === 'Deployment')!;
    return Object.fromEntries(
      deployment.spec.template.spec.containers[0].env.map((variable: any) => [variable.name, variable.value ?? variable.valueFrom]),
    );
  }

  test('gives every sentinel pod, the master set and the password Secret the pods read', () => {
    // WHEN
    const clientEnv = clientEnvOf({}, 'SESSIONS_');

    // THEN
    expect(clientEnv).toEqual({
      SESSIONS_SENTINELS: [0, 1, 2]
        .map((ordinal) => `sessions-sentinel-${ordinal}.sessions-sentinel-headless.shop.svc.cluster.local:26379`)
        .join(','),
      SESSIONS_MASTER_SET: 'sessions',
      SESSIONS_PASSWORD: { secretKeyRef: { name: 'sessions-redis-auth', key: 'password', optional: false } },
    });
  });

  test('follows the ports, the sentinel count, the Secret and the cluster domain; no password without authentication', () => {
    // WHEN
    const withSecret = clientEnvOf(
      { sentinelPort: 26380, sentinels: 5, passwordSecretName: 'sessions-auth', passwordSecretKey: 'current' },
      undefined,
      testScenario({ clusterDomain: 'east.example' }),
    );
    const open = clientEnvOf({ passwordAuthentication: false });

    // THEN
    expect(String(withSecret.REDIS_SENTINELS).split(',')).toEqual(
      [0, 1, 2, 3, 4].map((ordinal) => `sessions-sentinel-${ordinal}.sessions-sentinel-headless.shop.svc.east.example:26380`),
    );
    expect(withSecret.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'sessions-auth', key: 'current', optional: false } });
    expect(Object.keys(open)).toEqual(['REDIS_SENTINELS', 'REDIS_MASTER_SET']);
  });

  test('without a namespace, names relative to the namespace the objects are applied to', () => {
    // WHEN
    const clientEnv = clientEnvOf({}, undefined, testScenario({ namespace: undefined }));

    // THEN
    expect(String(clientEnv.REDIS_SENTINELS).split(',')[0]).toBe('sessions-sentinel-0.sessions-sentinel-headless:26379');
  });

  test('a prefix that makes invalid variable names is refused', () => {
    // GIVEN
    const store = new RedisSentinel(testScenario(), 'sessions');

    // THEN
    expect(() => store.clientEnv('cart-cache.')).toThrow(
      'shop/sessions: invalid clientEnv prefix "cart-cache.": letters, digits and "_", not starting with a digit, so the variables are valid environment variable names',
    );
  });
});

describe('RedisSentinel object names', () => {
  test('every object has a name of its own, so construct metadata keyed by name loses none', () => {
    // WHEN
    const names = synthRedis().map((manifest) => manifest.metadata.name);

    // THEN
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('RedisSentinel disruption budget', () => {
  test('a two-pod BEST_EFFORT cache still lets a drain evict one pod', () => {
    // WHEN
    const manifests = synthRedis({ dataClass: DataClass.CACHE }, Tier.BEST_EFFORT);

    // THEN
    expect(findObject(manifests, 'StatefulSet', 'sessions-redis').spec.replicas).toBe(2);
    expect(findObject(manifests, 'PodDisruptionBudget', 'sessions-redis-budget').spec.maxUnavailable).toBe(1);
  });
});

describe('RedisSentinel replication backlog', () => {
  test('sized for 60 s of writes at 1 MiB/s by default, so a replica away for a minute resumes with a partial resync', () => {
    expect(redisConf(synthRedis())).toContain(`repl-backlog-size ${60 * 1024 * 1024}`);
  });

  test('by default shrinks to a tenth of a small memory; explicit rate and outage multiply', () => {
    expect(redisConf(synthRedis({ memory: Size.mebibytes(256) }))).toContain(`repl-backlog-size ${25 * 1024 * 1024}`);
    expect(redisConf(synthRedis({ peakWriteMebibytesPerSecond: 4, replicaOutageToResumeSeconds: 20 }))).toContain(
      `repl-backlog-size ${80 * 1024 * 1024}`,
    );
  });

  test('an outage whose backlog would not fit in a tenth of memory, and a rate of 0, are refused', () => {
    expect(() => synthRedis({ peakWriteMebibytesPerSecond: 4, replicaOutageToResumeSeconds: 30 })).toThrow(
      'shop/sessions: invalid replicaOutageToResumeSeconds 30: at most 25 at peakWriteMebibytesPerSecond 4: the backlog (120Mi) must fit in a tenth of memory (102Mi of 1024Mi)',
    );
    expect(() => synthRedis({ peakWriteMebibytesPerSecond: 0 })).toThrow(
      'shop/sessions: invalid peakWriteMebibytesPerSecond 0: a number of MiB per second above 0',
    );
    expect(() => synthRedis({ replicaOutageToResumeSeconds: 0.5 })).toThrow(
      'shop/sessions: invalid replicaOutageToResumeSeconds 0.5: a whole number of seconds, at least 1',
    );
  });
});
