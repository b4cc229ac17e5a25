/**
 * The synthesized Redis alerts against real metrics: Debian's prometheus-redis-exporter scrapes the real Redis
 * processes of a harness set (one exporter per Redis pod, in the pod's network namespace, as the sidecar would), a
 * real Prometheus in the test client's namespace scrapes the exporters with the labels the PodMonitor adds, and the
 * alert expressions taken from the synthesized PrometheusRule are evaluated through its HTTP API while the master is
 * killed and the sentinels fail over.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { BusinessScenario, RedisSentinel, Tier } from '../../lib';
import { RedisSentinelCluster, destroyAllClusters, assertRedisPodsAvailable } from '../components/redis/harness/cluster';
import { sleep, waitFor } from '../support/harness/wait';
import { SHORT_TIMINGS } from '../faults/support';
import { findObject } from '../support/scenario';
import { NamespacedProcess, httpGetInNamespace, requireBinary } from './namespaced-process';

const PROMETHEUS_BINARY = '/usr/bin/prometheus';
const EXPORTER_BINARY = '/usr/bin/prometheus-redis-exporter';
const NAMESPACE = 'shop';
const SET_NAME = 'sessions';
/** A password with characters that need quoting, so the exporter's REDIS_PASSWORD is really used. */
const SECRETS = { [`${SET_NAME}-redis-auth`]: { password: 'e2e+Pa55/"word' } };
/** Prometheus listens on the loopback of the client namespace: nothing outside that namespace can reach it. */
const PROMETHEUS_ADDRESS = '127.0.0.1:9090';
/** Scrapes and rule evaluations every second, so that the expressions follow the set within a few seconds. */
const SCRAPE_INTERVAL = '1s';
const QUERY_TIMEOUT_MS = 3000;
/** From the kill to Prometheus seeing the pod down: a scrape or two, plus the exporter's connect timeout. */
const DOWN_SEEN_WITHIN_MS = 15_000;

interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

interface EmittedRule {
  readonly alert: string;
  readonly expr: string;
}

function synthesize(): any[] {
  const app = Testing.app();
  const chart = new BusinessScenario(app, NAMESPACE, { owner: 'team-a', namespace: NAMESPACE, tier: Tier.CRITICAL });
  new RedisSentinel(chart, SET_NAME, SHORT_TIMINGS);
  return Testing.synth(chart);
}

/** The port of the Redis pods' exporter sidecar, as synthesized. */
function sidecarMetricsPort(objects: any[]): number {
  const statefulSet = findObject(objects, 'StatefulSet', `${SET_NAME}-redis`);
  const sidecar = statefulSet.spec.template.spec.containers.find((container: any) => container.name === 'metrics');
  if (!sidecar) {
    throw new Error(`${SET_NAME}-redis has no metrics sidecar`);
  }
  return sidecar.ports[0].containerPort;
}

/** The alert rules as emitted, by name. */
function emittedRules(objects: any[]): { groups: any[]; byName: Map<string, EmittedRule> } {
  const rule = findObject(objects, 'PrometheusRule', `${SET_NAME}-redis-alerts`);
  const groups: any[] = rule.spec.groups;
  const byName = new Map<string, EmittedRule>(groups.flatMap((group) => group.rules).map((entry: EmittedRule) => [entry.alert, entry]));
  return { groups, byName };
}

function expressionOf(rules: Map<string, EmittedRule>, alert: string): string {
  const rule = rules.get(alert);
  if (!rule) {
    throw new Error(`the PrometheusRule has no ${alert}; it has ${[...rules.keys()].join(', ')}`);
  }
  return rule.expr;
}

/**
 * Evaluates `expr` every 250 ms in the background until stopped; `stop` resolves with when it first returned a series
 * (undefined if never). Query errors are left to the test's own queries, which fail loudly.
 */
function watchFirstResult(query: (expr: string) => Promise<PromSample[]>, expr: string): { stop: () => Promise<number | undefined> } {
  let stopped = false;
  let firstSeenAt: number | undefined;
  const loop = (async () => {
    while (!stopped && firstSeenAt === undefined) {
      try {
        if ((await query(expr)).length > 0) {
          firstSeenAt = Date.now();
        }
      } catch {
        // a failed sample is a missing sample
      }
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return firstSeenAt;
    },
  };
}

describe('Redis alerts end to end: prometheus-redis-exporter and Prometheus on a harness set', () => {
  beforeAll(() => {
    assertRedisPodsAvailable();
  });
  afterAll(async () => {
    await destroyAllClusters();
  });

  test('the master killed: RedisInstanceDown names it, and RedisNoMaster is quiet once the failover is done', async () => {
    const prometheusBinary = requireBinary(PROMETHEUS_BINARY, 'prometheus');
    const exporterBinary = requireBinary(EXPORTER_BINARY, 'prometheus-redis-exporter');
    const objects = synthesize();
    const rules = emittedRules(objects);
    const instanceDown = expressionOf(rules.byName, 'RedisInstanceDown');
    const noMaster = expressionOf(rules.byName, 'RedisNoMaster');

    const metricsPort = sidecarMetricsPort(objects);
    const cluster = new RedisSentinelCluster({ objects, name: SET_NAME, secrets: SECRETS });
    const workDir = mkdtempSync(join(tmpdir(), 'redis-alerts-e2e-'));
    const helpers: NamespacedProcess[] = [];
    const timings: Record<string, number> = {};
    const backgroundWatches: { stop: () => Promise<number | undefined> }[] = [];
    let failure: unknown;
    try {
      await cluster.bootstrap();

      for (const pod of cluster.redis) {
        // As the sidecar: Redis on the pod's loopback, the exporter on the pod's address.
        const exporter = new NamespacedProcess(
          `exporter of ${pod.name}`,
          pod.attachment.path,
          [exporterBinary, `-redis.addr=redis://127.0.0.1:${cluster.redisPort}`, `-web.listen-address=${pod.ip}:${metricsPort}`],
          join(workDir, `exporter-${pod.name}.log`),
          cluster.password === undefined ? {} : { REDIS_PASSWORD: cluster.password },
        );
        helpers.push(exporter);
      }

      const rulesFile = join(workDir, 'redis-alerts.yml');
      // Loaded as emitted (with their `for`), so Prometheus itself accepts the rule file; the test queries the expressions.
      writeFileSync(rulesFile, stringify({ groups: rules.groups }));
      const configFile = join(workDir, 'prometheus.yml');
      writeFileSync(
        configFile,
        stringify({
          global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
          rule_files: [rulesFile],
          scrape_configs: [
            {
              job_name: 'redis',
              // The labels the PodMonitor adds: the namespace, the pod, and the pod labels of POD_TARGET_LABELS.
              static_configs: cluster.redis.map((pod) => ({
                targets: [`${pod.ip}:${metricsPort}`],
                labels: { namespace: NAMESPACE, pod: pod.name, app_kubernetes_io_instance: SET_NAME, app_kubernetes_io_component: 'redis' },
              })),
            },
          ],
        }),
      );
      const prometheus = new NamespacedProcess(
        'prometheus',
        cluster.clientAttachment.path,
        [
          prometheusBinary,
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(workDir, 'tsdb')}`,
          `--web.listen-address=${PROMETHEUS_ADDRESS}`,
        ],
        join(workDir, 'prometheus.log'),
      );
      helpers.push(prometheus);

      const query = async (expr: string): Promise<PromSample[]> => {
        for (const helper of helpers) {
          helper.assertRunning();
        }
        const url = `http://${PROMETHEUS_ADDRESS}/api/v1/query?query=${encodeURIComponent(expr)}`;
        const response = await httpGetInNamespace(cluster.clientAttachment.path, url, QUERY_TIMEOUT_MS);
        const reply = JSON.parse(response.body);
        if (response.status !== 200 || reply.status !== 'success') {
          throw new Error(`query ${expr}: HTTP ${response.status} ${response.body}`);
        }
        if (reply.data.resultType !== 'vector') {
          throw new Error(`query ${expr}: a ${reply.data.resultType}, not a vector`);
        }
        return reply.data.result;
      };
      const podsOf = (samples: PromSample[]) => samples.map((sample) => sample.metric.pod).sort();
      const selector = `{namespace="${NAMESPACE}", app_kubernetes_io_instance="${SET_NAME}", app_kubernetes_io_component="redis"}`;

      const scrapingSince = Date.now();
      await waitFor(
        'Prometheus to scrape every exporter with Redis up, and the master of pod 0',
        async () => {
          const up = await query(`up${selector} == 1 and on (instance) redis_up${selector} == 1`);
          const master = await query(`redis_instance_info${selector.replace('}', ', role="master"}')}`);
          return up.length === cluster.redis.length && podsOf(master).join() === cluster.redis[0].name;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      timings.firstFullScrapeMs = Date.now() - scrapingSince;

      expect({ alert: 'RedisInstanceDown', before: await query(instanceDown) }).toEqual({ alert: 'RedisInstanceDown', before: [] });
      expect({ alert: 'RedisNoMaster', before: await query(noMaster) }).toEqual({ alert: 'RedisNoMaster', before: [] });

      const master = cluster.redis[0];
      const killedAt = Date.now();
      await master.kill();
      cluster.note(`pod 0 killed (SIGKILL); its exporter (pid ${helpers[0].pid}) keeps running`);

      // While the sentinels fail over, note whether Prometheus saw the set without a master (not asserted: with short
      // timings the gap may fall between two scrapes).
      const noMasterWatch = watchFirstResult(query, noMaster);
      backgroundWatches.push(noMasterWatch);
      const failover = cluster.waitForNewMaster(0, 60_000);
      // Awaited below; this only keeps a rejection from going unhandled when an earlier wait fails first.
      failover.catch(() => undefined);
      const down = await waitFor(
        `RedisInstanceDown's expression to name ${master.name}`,
        async () => {
          const samples = await query(instanceDown);
          return podsOf(samples).includes(master.name) ? samples : undefined;
        },
        { timeoutMs: DOWN_SEEN_WITHIN_MS, intervalMs: 250 },
      );
      timings.downSeenMs = Date.now() - killedAt;
      expect(podsOf(down)).toEqual([master.name]);
      expect(down[0].metric).toMatchObject({ namespace: NAMESPACE, app_kubernetes_io_instance: SET_NAME, pod: master.name });

      const promoted = await failover;
      timings.failoverMs = Date.now() - killedAt;
      await waitFor(
        `Prometheus to scrape ${cluster.redis[promoted].name} as master`,
        async () => {
          const masters = await query(`redis_instance_info${selector.replace('}', ', role="master"}')} and on (instance) redis_up${selector} == 1`);
          return podsOf(masters).join() === cluster.redis[promoted].name;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      timings.newMasterScrapedMs = Date.now() - killedAt;
      const noMasterSeenAt = await noMasterWatch.stop();
      if (noMasterSeenAt !== undefined) {
        timings.noMasterSeenMs = noMasterSeenAt - killedAt;
      }

      // Quiet now and over the next scrapes, not at a single lucky instant; the killed pod stays down.
      for (let sample = 0; sample < 4; sample++) {
        expect({ alert: 'RedisNoMaster', after: await query(noMaster) }).toEqual({ alert: 'RedisNoMaster', after: [] });
        expect(podsOf(await query(instanceDown))).toEqual([master.name]);
        await sleep(1000);
      }
      cluster.note(`timings: ${JSON.stringify(timings)}`);
    } catch (error) {
      failure = error;
      if (error instanceof Error) {
        const logs = helpers.map((helper) => `---- ${helper.name} (pid ${helper.pid})\n${helper.logTail(15)}`).join('\n');
        error.message += `\ntimings: ${JSON.stringify(timings)}\n${logs}\n${cluster.diagnostics()}`;
      }
    }
    await Promise.all(backgroundWatches.map((watch) => watch.stop()));
    // Helpers first: the cluster checks that nothing listens in its namespaces before removing them.
    const cleanupErrors: string[] = [];
    for (const result of await Promise.allSettled(helpers.map((helper) => helper.stop()))) {
      if (result.status === 'rejected') {
        cleanupErrors.push(String(result.reason));
      }
    }
    try {
      await cluster.destroy();
    } catch (error) {
      cleanupErrors.push(String(error));
    }
    rmSync(workDir, { recursive: true, force: true });
    if (failure !== undefined) {
      throw failure;
    }
    expect(cleanupErrors).toEqual([]);
  }, 150_000);
});
