/**
 * `npm run bench:checks`: checks 1,000 and 10,000 generated objects of mixed kinds with the default catalog, each
 * size in a fresh child process, and prints wall time and peak memory. Targets on the 2-core machine: 10,000 objects
 * in under 2 s, and 10,000 costing at most 11x what 1,000 cost.
 */
import { spawnSync } from 'node:child_process';
import { KubeObject, RULE_CATALOG, runChecks, selectRules } from '../lib';

const SIZES = [1_000, 10_000];

/** One app of a business unit: a Redis-like StatefulSet with its Services, PDB, NetworkPolicy and ConfigMap, and a Deployment. */
function unit(index: number): KubeObject[] {
  const namespace = `team-${index % 50}`;
  const name = `app-${index}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const container = {
    name: 'main',
    image: 'registry.example.com/app:1.2.3',
    ports: [{ name: 'http', containerPort: 8080 }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
  };
  const podSpec = { containers: [container], securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, automountServiceAccountToken: false };
  const annotations = { 'stability-blueprints.io/quorum': '2', 'stability-blueprints.io/tier': 'high' };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config`, namespace, labels }, data: { 'app.conf': 'port 8080\n' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${name}-headless`, namespace, labels },
      spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'http', port: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace, labels, annotations },
      spec: { replicas: 3, serviceName: `${name}-headless`, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace, labels },
      spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: labels } }] }],
        egress: [],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${name}-api`, namespace, labels: { ...labels, 'app.kubernetes.io/component': 'api' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { ...labels, 'app.kubernetes.io/component': 'api' } },
        template: { metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'api' } }, spec: podSpec },
      },
    },
  ];
}

function generate(count: number): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let index = 0; objects.length < count; index++) {
    objects.push(...unit(index));
  }
  return objects.slice(0, count);
}

function measureInThisProcess(count: number): void {
  const objects = generate(count);
  const rules = selectRules(RULE_CATALOG);
  const started = process.hrtime.bigint();
  const report = runChecks(
    objects.map((object) => ({ object })),
    rules,
    RULE_CATALOG,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ objects: count, rules: rules.length, findings: report.findings.length, seconds, peakMiB }));
}

function main(): void {
  const sizeArgument = process.argv.indexOf('--size');
  if (sizeArgument >= 0) {
    measureInThisProcess(Number(process.argv[sizeArgument + 1]));
    return;
  }
  const results = SIZES.map((size) => {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--size', String(size)], { encoding: 'utf8' });
    if (child.status !== 0) {
      throw new Error(`benchmark of ${size} objects failed:\n${child.stderr}`);
    }
    return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
  });
  console.log('objects  rules  findings  wall time  peak RSS');
  for (const result of results) {
    console.log(
      `${String(result.objects).padStart(7)}  ${String(result.rules).padStart(5)}  ${String(result.findings).padStart(8)}  ${result.seconds.toFixed(3).padStart(8)} s  ${result.peakMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
  const [small, large] = results;
  console.log(`10,000 objects cost ${(large.seconds / small.seconds).toFixed(1)}x what 1,000 cost (target: at most 11x; 10,000 under 2 s)`);
}

main();
