import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App as Cdk8sApp, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { App, BlueprintError, BusinessScenario, DataClass, RedisSentinel } from '../../lib';

/** Synthesizes with cdk8s's App and with ours; returns what cdk8s wrote, and what ours threw and wrote. */
function synthesizeBoth(build: (app: Cdk8sApp) => void, props: AppProps) {
  const run = (appClass: typeof Cdk8sApp) => {
    const outdir = mkdtempSync(join(tmpdir(), 'sb-collision-'));
    const app = new appClass({ ...props, outdir });
    build(app);
    let error: unknown;
    try {
      app.synth();
    } catch (thrown) {
      error = thrown;
    }
    const files = readdirSync(outdir, { recursive: true }).map(String).sort();
    const metadataFile = join(outdir, 'construct-metadata.json');
    const metadata = existsSync(metadataFile) ? JSON.parse(readFileSync(metadataFile, 'utf8')) : undefined;
    rmSync(outdir, { recursive: true, force: true });
    return { error, files, metadata };
  };
  return { cdk8s: run(Cdk8sApp), ours: run(App) };
}

function configMap(scope: Chart, id: string, name: string): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { owner: scope.node.path } });
}

describe('where cdk8s would silently lose or confuse data, our App fails and writes nothing', () => {
  test('FILE_PER_RESOURCE: the same ConfigMap name in two namespaces maps to one file', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      configMap(new Chart(app, 'shop', { namespace: 'shop' }), 'cache', 'cache');
      configMap(new Chart(app, 'payments', { namespace: 'payments' }), 'cache', 'cache');
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });

    // THEN
    expect(cdk8s.files).toEqual(['ConfigMap.cache.k8s.yaml']);
    expect(ours.error).toBeInstanceOf(BlueprintError);
    expect((ours.error as Error).message).toBe(
      'shop/cache and payments/cache: invalid output file "ConfigMap.cache.k8s.yaml": ConfigMap/shop/cache and ConfigMap/payments/cache would both be ' +
        'written to it, the second overwriting the first. YamlOutputType.FILE_PER_RESOURCE names a file by kind and name only, not namespace; ' +
        'give the objects distinct names, or use YamlOutputType.FILE_PER_CHART',
    );
    expect(ours.files).toEqual([]);
  });

  test('FOLDER_PER_CHART_FILE_PER_RESOURCE: two namespaces of one chart map to one file of its folder', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      configMap(chart, 'cache', 'cache');
      new ApiObject(chart, 'other-cache', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cache', namespace: 'shop-canary' } });
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });

    // THEN
    expect(cdk8s.files).toEqual(['shop', join('shop', 'ConfigMap.cache.k8s.yaml')]);
    expect((ours.error as Error).message).toBe(
      'shop/cache and shop/other-cache: invalid output file "shop/ConfigMap.cache.k8s.yaml": ConfigMap/shop/cache and ConfigMap/shop-canary/cache ' +
        "would both be written to it, the second overwriting the first. YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE names a file in the chart's " +
        'folder by kind and name only, not namespace; give the objects distinct names, or put them in different charts',
    );
    expect(ours.files).toEqual([]);
  });

  test('FILE_PER_CHART: two charts whose DNS labels are alike', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      const upperCase = new Chart(app, 'Shop');
      configMap(upperCase, 'cache', 'cache');
      configMap(new Chart(app, Names.toDnsLabel(upperCase)), 'cache', 'other-cache');
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, { yamlOutputType: YamlOutputType.FILE_PER_CHART });

    // THEN
    expect(cdk8s.files).toHaveLength(1);
    expect((ours.error as Error).message).toMatch(
      /^Shop and (shop-[0-9a-f]{8}): invalid output file "\1\.k8s\.yaml": chart Shop and chart \1 would both be written to it, the second overwriting the first\. YamlOutputType\.FILE_PER_CHART names/,
    );
  });

  test('construct metadata keyed by a name two objects share', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      configMap(chart, 'cache-config', 'cache');
      new ApiObject(chart, 'cache-service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cache' } });
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, { recordConstructMetadata: true });

    // THEN
    expect(cdk8s.metadata).toEqual({ version: '1.0.0', resources: { cache: { path: 'shop/cache-service' } } });
    expect(ours.error).toBeInstanceOf(BlueprintError);
    expect((ours.error as Error).message).toBe(
      'shop/cache-config and shop/cache-service: invalid object name in construct-metadata.json "cache": ConfigMap/shop/cache and Service/shop/cache ' +
        'share it, and recordConstructMetadata keys the file by name alone, so one construct would be lost; give the objects distinct names, ' +
        'or turn recordConstructMetadata off (cdk8s synth turns it on when cdk8s.yaml lists validations)',
    );
    expect(ours.files).toEqual([]);
  });

  test('two scenarios in one namespace defining the same objects', () => {
    // GIVEN checkout and flash sale, both in namespace shop, each with a cache called hot-keys
    const build = (app: Cdk8sApp) => {
      for (const scenario of ['checkout', 'flash-sale']) {
        const chart = new BusinessScenario(app, scenario, { owner: 'team-shop', namespace: 'shop' });
        new RedisSentinel(chart, 'hot-keys', { dataClass: DataClass.CACHE });
      }
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, {});
    const yamlApp = new App();
    build(yamlApp);

    // THEN cdk8s writes both files; ours fails on the first object the two define alike, and writes nothing
    expect(cdk8s.files).toEqual(['0000-stability-blueprints-priority-classes.k8s.yaml', '0001-checkout.k8s.yaml', '0002-flash-sale.k8s.yaml']);
    const message =
      'checkout/hot-keys/Files/Config and flash-sale/hot-keys/Files/Config: invalid object "ConfigMap/shop/hot-keys-redis-config": both define v1 ConfigMap ' +
      'hot-keys-redis-config in namespace shop, and applying both keeps only the last; give the components different ids, or put the scenarios ' +
      'in different namespaces';
    expect(ours.error).toBeInstanceOf(BlueprintError);
    expect((ours.error as Error).message).toBe(message);
    expect(ours.files).toEqual([]);
    expect(() => yamlApp.synthYaml()).toThrow(message);
  });

  test('objects that share a name but not a file, without construct metadata, synthesize', () => {
    // GIVEN
    const build = (app: Cdk8sApp) => {
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      configMap(chart, 'cache-config', 'cache');
      new ApiObject(chart, 'cache-service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cache' } });
    };

    // WHEN
    const { cdk8s, ours } = synthesizeBoth(build, { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });

    // THEN
    expect(ours).toEqual(cdk8s);
    expect(ours.files).toEqual(['ConfigMap.cache.k8s.yaml', 'Service.cache.k8s.yaml']);
  });
});
