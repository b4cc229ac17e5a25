import { ApiObject, App as Cdk8sApp, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { buildShop } from '../../examples/main';
import { App } from '../../lib';
import { AppBuilder, seededRandom, synthesizeBoth } from './support';

// jsii stamps every class with its package version: the devDependency, or the oldest cdk8s in the jest project that maps to it.
const CDK8S_VERSION: string = (Cdk8sApp as unknown as Record<symbol, { version: string }>)[Symbol.for('jsii.rtti')].version;

const ALL_OUTPUT_TYPES = [
  ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
  ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
  ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
  ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
] as const;

/** Asserts that ours writes what cdk8s writes, file for file, and returns the same YAML string, or fails with the same message. */
function expectSameSynthesis(build: AppBuilder, yamlOutputType: YamlOutputType, extraProps: { recordConstructMetadata?: boolean } = {}) {
  const { cdk8s, ours } = synthesizeBoth(build, { yamlOutputType, ...extraProps });
  expect(ours.synth).toEqual(cdk8s.synth);
  expect(ours.yaml).toEqual(cdk8s.yaml);
  return cdk8s;
}

/** The chart: a cdk8s-plus StatefulSet and a ConfigMap. */
function statefulSetCharts(count: number): AppBuilder {
  return (app) => {
    for (let index = 0; index < count; index++) {
      const chart = new Chart(app, `service-${index}`, { namespace: `team-${index % 2}` });
      const config = new kplus.ConfigMap(chart, 'config', { data: { 'app.conf': `index ${index}\n` } });
      new kplus.StatefulSet(chart, 'store', {
        containers: [{ image: 'registry.example.com/store:1.0.0', portNumber: 6379, volumeMounts: [] }],
        replicas: 3,
      }).addVolume(kplus.Volume.fromConfigMap(chart, 'config-volume', config));
    }
  };
}

/** Charts that depend on each other in every way cdk8s knows: chart on chart, object on object across charts, nesting. */
const dependentCharts: AppBuilder = (app) => {
  const database = new Chart(app, 'database');
  const databaseConfig = new ApiObject(database, 'config', { apiVersion: 'v1', kind: 'ConfigMap', data: { url: 'db:5432' } });
  const backend = new Chart(app, 'backend');
  const backendService = new ApiObject(backend, 'service', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } });
  const worker = new Construct(backend, 'worker');
  const workerJob = new ApiObject(worker, 'job', { apiVersion: 'batch/v1', kind: 'Job', spec: {} });
  workerJob.addDependency(databaseConfig);
  new ApiObject(worker, 'settings', { apiVersion: 'v1', kind: 'ConfigMap' });
  const frontend = new Chart(app, 'frontend');
  frontend.addDependency(backend);
  const nested = new Chart(frontend, 'assets', { namespace: 'cdn' });
  new ApiObject(nested, 'bucket', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'assets' } });
  const frontendDeployment = new ApiObject(frontend, 'deployment', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} });
  frontendDeployment.addDependency(backendService);
  new Chart(app, 'independent').node.addDependency(worker);
};

/** A resolver of our own, before cdk8s's built-in ones: replaces every value at a key named `image` and every string `REPLACE_ME`. */
class PinningResolver implements IResolver {
  public resolve(context: ResolutionContext): void {
    // cdk8s resolves a replaced value again, so a replacement must not match once more.
    if (context.key[context.key.length - 1] === 'image' && !String(context.value).includes('@')) {
      context.replaceValue(`${context.value}@sha256:0123`);
    } else if (context.value === 'REPLACE_ME') {
      context.replaceValue({ replaced: context.key.join('.') });
    }
  }
}

const resolvedApp: AppBuilder = (app) => {
  const chart = new Chart(app, 'resolved', { labels: { team: 'core' } });
  new ApiObject(chart, 'pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }], hostname: 'REPLACE_ME' },
  });
  const lazy = new ApiObject(chart, 'lazy', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: Lazy.any({ produce: () => ({ produced: 'REPLACE_ME', count: 3 }) }),
  });
  lazy.addJsonPatch(JsonPatch.add('/metadata/annotations', { patched: 'yes' }));
};

/** A chart whose toJson() is its own: it adds an object and reverses the order. */
class ReorderingChart extends Chart {
  public toJsonCalls = 0;

  public toJson(): any[] {
    this.toJsonCalls++;
    return [...super.toJson(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.node.id } }].reverse();
  }
}

const overridingApp: AppBuilder = (app) => {
  const chart = new ReorderingChart(app, 'reordering');
  new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap' });
  new ApiObject(chart, 'second', { apiVersion: 'v1', kind: 'Secret' });
  new Chart(app, 'plain').node.addDependency(chart);
};

describe(`our App synthesizes what cdk8s ${CDK8S_VERSION} App.synth() does`, () => {
  test('cdk8s-plus-28 builds on the same copy of cdk8s as the test and our library', () => {
    const configMap = new kplus.ConfigMap(new Chart(Testing.app(), 'chart'), 'config');
    expect(Object.prototype.isPrototypeOf.call(ApiObject.prototype, ApiObject.of(configMap))).toBe(true);
    expect(Object.prototype.isPrototypeOf.call(Cdk8sApp.prototype, new App())).toBe(true);
  });

  describe.each(ALL_OUTPUT_TYPES)('%s', (_name, yamlOutputType) => {
    test('charts of a cdk8s-plus StatefulSet and a ConfigMap, with no dependency between them', () => {
      const cdk8s = expectSameSynthesis(statefulSetCharts(3), yamlOutputType);
      expect(Object.keys(cdk8s.synth.files ?? {}).length).toBeGreaterThan(0);
    });

    test('charts that depend on each other, on objects of other charts, and nest', () => {
      const cdk8s = expectSameSynthesis(dependentCharts, yamlOutputType);
      expect(Object.keys(cdk8s.synth.files ?? {}).length).toBeGreaterThan(0);
    });

    test('custom resolvers, Lazy values and JSON patches', () => {
      const { cdk8s, ours } = synthesizeBoth(resolvedApp, { yamlOutputType, resolvers: [new PinningResolver()] });
      expect(ours).toEqual(cdk8s);
      expect(JSON.stringify(cdk8s.synth.files)).toContain('nginx:1.27@sha256:0123');
    });

    test('a chart that overrides toJson()', () => {
      expectSameSynthesis(overridingApp, yamlOutputType);
    });

    test('the example shop: business scenarios, RedisSentinel, cdk8s-plus', () => {
      expectSameSynthesis(buildShop, yamlOutputType);
    });

    test('an app without charts', () => {
      expectSameSynthesis(() => undefined, yamlOutputType);
    });

    test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('generated app %i, construct metadata recorded', (seed) => {
      expectSameSynthesis(generatedApp(seed), yamlOutputType, { recordConstructMetadata: true });
    });
  });

  test('a chart numbered file names once one chart depends on another', () => {
    const cdk8s = expectSameSynthesis(dependentCharts, YamlOutputType.FILE_PER_CHART);
    expect(Object.keys(cdk8s.synth.files ?? {})).toEqual(expect.arrayContaining(['0000-database.k8s.yaml']));
  });

  test('another file extension', () => {
    const { cdk8s, ours } = synthesizeBoth(statefulSetCharts(2), { outputFileExtension: '.yml' });
    expect(ours).toEqual(cdk8s);
  });

  test('a failing validation fails with the same message, naming every failing construct', () => {
    const build: AppBuilder = (app) => {
      const chart = new Chart(app, 'invalid');
      new ApiObject(chart, 'ok', { apiVersion: 'v1', kind: 'ConfigMap' });
      new Construct(chart, 'broken').node.addValidation({ validate: () => ['replicas must be odd', 'no image'] });
      new Chart(app, 'also-invalid').node.addValidation({ validate: () => ['chart is empty'] });
    };
    const { cdk8s, ours } = synthesizeBoth(build);
    expect(cdk8s.synth.error).toBe(
      'Validation failed with the following errors:\n  [invalid/broken] replicas must be odd\n  [invalid/broken] no image\n  [also-invalid] chart is empty',
    );
    expect(ours).toEqual(cdk8s);
  });

  test('a dependency cycle fails with the same message', () => {
    const build: AppBuilder = (app) => {
      const first = new Chart(app, 'first');
      const second = new Chart(app, 'second');
      new ApiObject(first, 'a', { apiVersion: 'v1', kind: 'ConfigMap' }).addDependency(second);
      new ApiObject(second, 'b', { apiVersion: 'v1', kind: 'ConfigMap' }).addDependency(first);
    };
    const { cdk8s, ours } = synthesizeBoth(build);
    expect(cdk8s.synth.error).toMatch(/^Dependency cycle detected: /);
    expect(ours).toEqual(cdk8s);
  });

  test("every construct's validations run once, where cdk8s runs them once more per chart", () => {
    const runs = { cdk8s: 0, ours: 0 };
    const build = (counter: 'cdk8s' | 'ours') => (app: Cdk8sApp) => {
      for (const id of ['a', 'b', 'c']) {
        const chart = new Chart(app, id);
        new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap' });
        chart.node.addValidation({ validate: () => (runs[counter]++, []) });
      }
    };
    const cdk8sApp = Testing.app();
    build('cdk8s')(cdk8sApp);
    cdk8sApp.synth();
    const ourApp = new App({ outdir: cdk8sApp.outdir });
    build('ours')(ourApp);
    ourApp.synth();
    expect(runs).toEqual({ cdk8s: 3 * (1 + 3), ours: 3 });
  });

  test("a chart's own toJson() is called once per synthesis, as by cdk8s, and not at all for FOLDER_PER_CHART_FILE_PER_RESOURCE", () => {
    const calls = (appClass: typeof Cdk8sApp, yamlOutputType: YamlOutputType) => {
      const app = new appClass({ outdir: Testing.app().outdir, yamlOutputType });
      overridingApp(app);
      app.synth();
      return (app.node.findChild('reordering') as ReorderingChart).toJsonCalls;
    };
    for (const [, yamlOutputType] of ALL_OUTPUT_TYPES) {
      expect(calls(App, yamlOutputType)).toBe(calls(Cdk8sApp, yamlOutputType));
    }
    expect(calls(App, YamlOutputType.FILE_PER_CHART)).toBe(1);
  });
});

/**
 * An app of random shape: top-level and nested charts, objects at any depth, explicit and generated names, namespaces,
 * Lazy values, and dependencies between charts, constructs and objects, some of which form cycles.
 */
function generatedApp(seed: number): AppBuilder {
  return (app) => {
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const kinds = [
      ['v1', 'ConfigMap'],
      ['v1', 'Service'],
      ['v1', 'Secret'],
      ['apps/v1', 'StatefulSet'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['example.com/v1alpha1', 'Widget'],
    ];
    const scopes: Construct[] = [];
    const dependables: IConstruct[] = [];
    let objects = 0;
    const chartCount = 1 + Math.floor(random() * 4);
    for (let chartIndex = 0; chartIndex < chartCount; chartIndex++) {
      const parent = chartIndex > 0 && random() < 0.3 ? pick(scopes.filter(Chart.isChart)) : app;
      const chart = new Chart(parent, pick(['web', 'Data', '7', 'jobs', 'edge']) + chartIndex, {
        namespace: random() < 0.5 ? `ns-${chartIndex}` : undefined,
        disableResourceNameHashes: random() < 0.2,
      });
      scopes.push(chart);
      dependables.push(chart);
      const constructCount = Math.floor(random() * 6);
      for (let constructIndex = 0; constructIndex < constructCount; constructIndex++) {
        const scope = pick(scopes.filter((candidate) => Chart.of(candidate) === chart));
        if (random() < 0.3) {
          const group = new Construct(scope, `group${constructIndex}`);
          scopes.push(group);
          dependables.push(group);
          continue;
        }
        const [apiVersion, kind] = pick(kinds);
        objects++;
        const apiObject = new ApiObject(scope, `${kind.toLowerCase()}${constructIndex}`, {
          apiVersion,
          kind,
          metadata: random() < 0.5 ? { name: `object-${objects}`, namespace: random() < 0.3 ? 'other' : undefined } : {},
          spec: random() < 0.5 ? { value: Lazy.any({ produce: () => ({ index: objects, text: 'line one\nline two' }) }) } : { replicas: objects },
        });
        dependables.push(apiObject);
      }
    }
    const dependencyCount = Math.floor(random() * 4);
    for (let index = 0; index < dependencyCount && dependables.length > 1; index++) {
      const source = pick(dependables);
      const target = pick(dependables);
      if (source !== target && !source.node.scopes.includes(target) && !target.node.scopes.includes(source)) {
        source.node.addDependency(target);
      }
    }
  };
}
