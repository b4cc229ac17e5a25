import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HAPROXY_IMAGE, Peer, RedisSentinel, RedisSentinelProps } from '../../../lib';
import { findObject, Manifest, testScenario } from '../../support/scenario';

function synthRedis(props: RedisSentinelProps = {}): Manifest[] {
  const scenario = testScenario();
  new RedisSentinel(scenario, 'sessions', props);
  return Testing.synth(scenario);
}

function haproxyConf(manifests: Manifest[]): string[] {
  return findObject(manifests, 'ConfigMap', 'sessions-master-config').data['haproxy.cfg'].split('\n');
}

const ENDPOINT_OBJECTS = [
  'ConfigMap/sessions-master-config',
  'Deployment/sessions-master-deployment',
  'NetworkPolicy/sessions-master-policy',
  'PodDisruptionBudget/sessions-master-budget',
  'Service/sessions-master',
];

describe('RedisSentinel master endpoint', () => {
  test('off by default', () => {
    // WHEN
    const names = synthRedis().map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);

    // THEN
    expect(names.filter((name) => name.includes('sessions-master'))).toEqual([]);
  });

  test('defaults: two HAProxy pods behind a Service, with a budget and a policy', () => {
    // WHEN
    const manifests = synthRedis({ masterEndpoint: true });
    const endpoint = manifests.filter((manifest) => ENDPOINT_OBJECTS.includes(`${manifest.kind}/${manifest.metadata.name}`));

    // THEN
    expect(endpoint.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort()).toEqual(ENDPOINT_OBJECTS);
    expect(endpoint).toMatchSnapshot();
  });

  test('never fewer than one proxy: a rolling update surges first, the budget lets one go, the pods spread like Redis', () => {
    // WHEN
    const manifests = synthRedis({ masterEndpoint: true });
    const deployment = findObject(manifests, 'Deployment', 'sessions-master-deployment');
    const redisPod = findObject(manifests, 'StatefulSet', 'sessions-redis').spec.template.spec;

    // THEN
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(findObject(manifests, 'PodDisruptionBudget', 'sessions-master-budget').spec.maxUnavailable).toBe(1);
    const pod = deployment.spec.template.spec;
    const selector = { matchLabels: deployment.spec.selector.matchLabels };
    expect(pod.topologySpreadConstraints).toEqual(
      redisPod.topologySpreadConstraints.map((constraint: any) => ({ ...constraint, labelSelector: selector })),
    );
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
    ]);
    expect(pod.securityContext).toEqual(redisPod.securityContext);
    expect(pod.containers[0].securityContext).toEqual(redisPod.containers[0].securityContext);
    expect(pod.containers[0].image).toBe(HAPROXY_IMAGE);
  });

  test('forwards only to the pod that answers role:master, found by its DNS name at run time', () => {
    // WHEN
    const conf = haproxyConf(synthRedis({ masterEndpoint: true, replicas: 5 }));

    // THEN
    expect(conf.filter((line) => line.startsWith('  server '))).toEqual(
      [0, 1, 2, 3, 4].map(
        (ordinal) =>
          `  server sessions-redis-${ordinal} "sessions-redis-${ordinal}.sessions-redis-headless.\${POD_NAMESPACE}.svc.cluster.local:6379"`,
      ),
    );
    expect(conf.filter((line) => line.startsWith('  tcp-check'))).toEqual([
      '  tcp-check connect',
      '  tcp-check send-binary "${REDIS_AUTH_HEX}"',
      '  tcp-check expect string +OK',
      '  tcp-check send "INFO replication\\r\\nQUIT\\r\\n"',
      '  tcp-check expect string role:master',
    ]);
    expect(conf).toContain(
      '  default-server check inter 1s fall 2 rise 1 on-marked-down shutdown-sessions resolvers cluster init-addr last,libc,none resolve-prefer ipv4',
    );
  });

  test('without password authentication the check sends no AUTH and the pods read no Secret', () => {
    // WHEN
    const manifests = synthRedis({ masterEndpoint: true, passwordAuthentication: false });

    // THEN
    expect(haproxyConf(manifests).filter((line) => line.includes('AUTH') || line.includes('+OK'))).toEqual([]);
    const container = findObject(manifests, 'Deployment', 'sessions-master-deployment').spec.template.spec.containers[0];
    expect(container.env.filter((variable: any) => variable.valueFrom?.secretKeyRef)).toEqual([]);
  });

  test('Redis admits the proxies, the proxies reach only Redis, and allowFrom admits a workload to the proxies too', () => {
    // GIVEN
    const scenario = testScenario();
    const redis = new RedisSentinel(scenario, 'sessions', { masterEndpoint: true });
    const cart = new kplus.Deployment(scenario, 'cart', { containers: [{ image: 'cart:1.0.0', portNumber: 8080 }] });

    // WHEN
    redis.allowFrom(Peer.workload(cart));
    const manifests = Testing.synth(scenario);

    // THEN
    const proxies = { podSelector: { matchLabels: redis.masterEndpoint!.selector } };
    const cartPeer = {
      podSelector: { matchLabels: cart.matchLabels },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
    };
    expect(findObject(manifests, 'NetworkPolicy', 'sessions-redis-policy').spec.ingress).toContainEqual({
      from: [proxies],
      ports: [{ protocol: 'TCP', port: 6379 }],
    });
    const policy = findObject(manifests, 'NetworkPolicy', 'sessions-master-policy');
    expect(policy.spec.ingress).toEqual([{ from: [cartPeer], ports: [{ protocol: 'TCP', port: 6379 }] }]);
    expect(policy.spec.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: redis.redis.selector } }], ports: [{ protocol: 'TCP', port: 6379 }] });
  });

  test('clientEnv gives the endpoint address', () => {
    // GIVEN
    const scenario = testScenario();
    const redis = new RedisSentinel(scenario, 'sessions', { masterEndpoint: true });

    // WHEN
    const env = Object.fromEntries(Object.entries(redis.clientEnv()).map(([name, value]) => [name, value.value]));

    // THEN
    expect(env.REDIS_MASTER_ENDPOINT).toBe('sessions-master.shop.svc.cluster.local:6379');
  });
});

describe('RedisSentinel password version', () => {
  const versions = (manifests: Manifest[]) =>
    ['StatefulSet/sessions-redis', 'StatefulSet/sessions-sentinel', 'Deployment/sessions-master-deployment'].map((ref) => {
      const [kind, name] = ref.split('/');
      return findObject(manifests, kind, name).spec.template.metadata.annotations['stability-blueprints.io/password-version'];
    });

  test('written on every pod template, so a new version rolls every pod; none by default', () => {
    expect(versions(synthRedis({ masterEndpoint: true, passwordSecretVersion: '2026-12-07' }))).toEqual(['2026-12-07', '2026-12-07', '2026-12-07']);
    expect(versions(synthRedis({ masterEndpoint: true }))).toEqual([undefined, undefined, undefined]);
  });

  test('the pods read the also-accepted password from an optional key of the same Secret', () => {
    // WHEN
    const manifests = synthRedis({ passwordSecretName: 'sessions-auth', passwordSecretAlsoAcceptedKey: 'next' });

    // THEN
    for (const name of ['sessions-redis', 'sessions-sentinel']) {
      const container = findObject(manifests, 'StatefulSet', name).spec.template.spec.containers[0];
      expect(container.env.find((variable: any) => variable.name === 'REDIS_ALSO_ACCEPTED_PASSWORD')).toEqual({
        name: 'REDIS_ALSO_ACCEPTED_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'sessions-auth', key: 'next', optional: true } },
      });
    }
  });
});
