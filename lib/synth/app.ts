import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App as Cdk8sApp, Chart, YamlOutputType } from 'cdk8s';
import { CheckReport, formatObjectRef } from '../checks/engine';
import { objectIdentity } from '../checks/manifest-index';
import { KubeObject } from '../checks/model';
import { checkApp, prepareChartForChecks, SynthesizedChart, SynthesizedObject, withAppWideChecks } from '../checks/synthesis';
import { BlueprintError } from '../errors';
import { BusinessScenario } from '../scenario/business-scenario';
import { YamlWriter } from './yaml';
import { chartToKube, ChartNamer, resolveDependencies, resourceFileName, SubtreeCache, validateApp } from './cdk8s-internals';

/** The static cdk8s calls from every `Chart.toJson()`; internal to cdk8s, so not in its type declarations. */
interface ChartSynthesizer {
  _synthChart(chart: Chart): unknown[];
}

/** A manifest as cdk8s writes it: what a chart's `toJson()` returned, so possibly anything, undefined included. */
type Manifest = KubeObject | undefined;

/** A chart's manifests as cdk8s would write them, with the ApiObjects behind them where cdk8s names files by those. */
interface RenderedChart {
  readonly chart: Chart;
  /** `Object.values(chart.toJson())`, or in FOLDER_PER_CHART_FILE_PER_RESOURCE each ApiObject's `toJson()`. */
  readonly manifests: readonly Manifest[];
  /** Only in FOLDER_PER_CHART_FILE_PER_RESOURCE, where cdk8s renders the ApiObjects without `chart.toJson()`: one per manifest. */
  readonly apiObjects?: readonly ApiObject[];
}

/** Who a file is written for, to name both when two would be written to one file. */
interface FileOwner {
  readonly constructPath: string;
  readonly description: string;
}

interface OutputFile {
  /** Relative to the output directory. */
  readonly file: string;
  readonly documents: readonly unknown[];
  readonly owner: FileOwner;
}

interface PlannedOutput {
  /** Relative to the output directory; created before the files. */
  readonly folders: readonly string[];
  readonly files: readonly OutputFile[];
}

/**
 * A cdk8s App whose synthesis is linear in the number of charts, for synthesizing every business scenario of a
 * company in one job. Its files, their names and their YAML are those of cdk8s's `App.synth()` for the same app.
 *
 * cdk8s's `Chart.toJson()` resolves the dependencies and runs the validations of the whole app again for every
 * chart, so its synthesis grows with the square of the number of charts. This App resolves dependencies and runs each
 * construct's validations once, then renders each chart on its own, still through the chart's `toJson()` so that
 * overrides take part. The stability checks of every `BusinessScenario` run once, over all charts together, so that
 * relations between objects of different charts are seen.
 *
 * Where cdk8s would silently lose or confuse data, it fails instead, naming both objects: two objects written to one
 * file (FILE_PER_RESOURCE names files by kind and name, not namespace), and two objects sharing a name in
 * `construct-metadata.json`. Nothing is written then.
 */
export class App extends Cdk8sApp {
  /** The findings of the last synthesis, over the objects of every `BusinessScenario` in the app. */
  public lastCheckReport?: CheckReport;

  /** Synthesizes all manifests to the output directory. */
  public synth(): void {
    fs.mkdirSync(this.outdir, { recursive: true });
    const cache = new SubtreeCache();
    // In this order, like cdk8s, so that an app with both a failing validation and a dependency problem fails alike.
    validateApp(this, cache);
    const hasDependantCharts = resolveDependencies(this, cache);
    const synthesis = new Synthesis(this);
    const renderedCharts = synthesis.render(this.yamlOutputType !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    const output = this.planOutput(renderedCharts, synthesis, hasDependantCharts);
    const constructMetadata = this.recordsConstructMetadata
      ? constructMetadataOf(synthesis.charts.flatMap((chart) => synthesis.apiObjectsOf(chart)))
      : undefined;
    for (const folder of output.folders) {
      fs.mkdirSync(path.join(this.outdir, folder), { recursive: true });
    }
    const yaml = new YamlWriter();
    for (const file of output.files) {
      fs.writeFileSync(path.join(this.outdir, file.file), yaml.stringify(file.documents), { encoding: 'utf8' });
    }
    if (constructMetadata) {
      fs.writeFileSync(path.join(this.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources: constructMetadata }));
    }
  }

  /** Synthesizes the app into one YAML string of all objects across all charts. */
  public synthYaml(): string {
    const cache = new SubtreeCache();
    // The reverse of synth()'s order, like cdk8s.
    resolveDependencies(this, cache);
    validateApp(this, cache);
    const renderedCharts = new Synthesis(this).render(true);
    return new YamlWriter().stringify(renderedCharts.flatMap((rendered) => rendered.manifests));
  }

  /** cdk8s's constructor settles `recordConstructMetadata` from the props and CDK8S_RECORD_CONSTRUCT_METADATA, in a private field. */
  private get recordsConstructMetadata(): boolean {
    return (this as unknown as { recordConstructMetadata: boolean }).recordConstructMetadata;
  }

  private planOutput(renderedCharts: readonly RenderedChart[], synthesis: Synthesis, hasDependantCharts: boolean): PlannedOutput {
    const extension = this.outputFileExtension;
    const folders: string[] = [];
    const files: OutputFile[] = [];
    switch (this.yamlOutputType) {
      case YamlOutputType.FILE_PER_APP:
        if (renderedCharts.length > 0) {
          const documents = renderedCharts.flatMap((rendered) => rendered.manifests);
          files.push({ file: `app${extension}`, documents, owner: { constructPath: '', description: 'the app' } });
        }
        break;
      case YamlOutputType.FILE_PER_CHART: {
        const namer = new ChartNamer(hasDependantCharts);
        for (const { chart, manifests } of renderedCharts) {
          files.push({ file: namer.name(chart) + extension, documents: manifests, owner: chartOwner(chart) });
        }
        break;
      }
      case YamlOutputType.FILE_PER_RESOURCE:
        for (const { chart, manifests } of renderedCharts) {
          for (const manifest of manifests.filter((candidate) => candidate !== undefined)) {
            files.push({ file: resourceFileName(manifest) + extension, documents: [manifest], owner: synthesis.ownerOf(manifest, chart) });
          }
        }
        break;
      case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
        const namer = new ChartNamer(hasDependantCharts);
        for (const { chart, manifests, apiObjects = [] } of renderedCharts) {
          // cdk8s creates a chart's folder even when the chart has no object.
          const folder = namer.name(chart);
          folders.push(folder);
          apiObjects.forEach((apiObject, index) => {
            files.push({
              file: path.join(folder, resourceFileName(apiObject) + extension),
              documents: [manifests[index]],
              owner: objectOwner(apiObject),
            });
          });
        }
        break;
      }
      default:
        break;
    }
    failOnSharedFiles(files, this.yamlOutputType);
    return { folders, files };
  }
}

/** One run of our synthesis: the charts in cdk8s's order, rendered once each, and where each manifest came from. */
class Synthesis {
  public readonly charts: readonly Chart[];
  private readonly apiObjectsByChart = new Map<Chart, ApiObject[]>();
  private readonly constructPaths = new Map<unknown, string>();

  constructor(private readonly app: App) {
    this.charts = app.charts;
  }

  public apiObjectsOf(chart: Chart): ApiObject[] {
    let apiObjects = this.apiObjectsByChart.get(chart);
    if (!apiObjects) {
      apiObjects = chartToKube(chart);
      this.apiObjectsByChart.set(chart, apiObjects);
    }
    return apiObjects;
  }

  /**
   * Renders every chart, through its `toJson()` or, as cdk8s does for FOLDER_PER_CHART_FILE_PER_RESOURCE, from its
   * ApiObjects; then runs the checks of the app's scenarios once over all of them.
   */
  public render(throughToJson: boolean): RenderedChart[] {
    for (const chart of this.charts.filter(BusinessScenario.isBusinessScenario)) {
      prepareChartForChecks(chart);
    }
    const renderedCharts = withAppWideChecks(this.app, () =>
      this.withLinearChartSynthesis(() =>
        this.charts.map((chart) => (throughToJson ? { chart, manifests: Object.values(chart.toJson()) } : this.renderApiObjects(chart))),
      ),
    );
    const chartsForChecks = renderedCharts.map((rendered) => this.forChecks(rendered));
    failOnSharedIdentities(chartsForChecks.flatMap((chart) => chart.objects));
    const reports = checkApp(chartsForChecks);
    this.app.lastCheckReport = reports.app;
    for (const [chart, report] of reports.byChart) {
      (chart as BusinessScenario).lastCheckReport = report;
    }
    return renderedCharts;
  }

  public ownerOf(manifest: KubeObject, chart: Chart): FileOwner {
    const ref = formatObjectRef({ kind: manifest.kind, namespace: manifest.metadata?.namespace, name: manifest.metadata?.name });
    return { constructPath: this.constructPaths.get(manifest) ?? chart.node.path, description: ref };
  }

  private renderApiObjects(chart: Chart): RenderedChart {
    const apiObjects = this.apiObjectsOf(chart);
    return { chart, manifests: apiObjects.map((apiObject) => this.renderApiObject(apiObject)), apiObjects };
  }

  private renderApiObject(apiObject: ApiObject): KubeObject {
    const manifest: KubeObject = apiObject.toJson();
    this.constructPaths.set(manifest, apiObject.node.path);
    return manifest;
  }

  /**
   * Runs `render` with cdk8s's per-chart synthesis replaced, for this app's charts, by one that renders the chart's
   * ApiObjects without walking the whole app again: this synthesis resolved the dependencies and validated already.
   */
  private withLinearChartSynthesis<T>(render: () => T): T {
    const synthesizer = Cdk8sApp as unknown as ChartSynthesizer;
    const synthChartOfCdk8s = synthesizer._synthChart;
    if (typeof synthChartOfCdk8s !== 'function') {
      throw new Error(
        'this version of cdk8s has no App._synthChart, which stability-blueprints replaces during synthesis; it supports cdk8s ^2.68.11',
      );
    }
    synthesizer._synthChart = (chart: Chart) =>
      chart.node.root === this.app
        ? this.apiObjectsOf(chart).map((apiObject) => this.renderApiObject(apiObject))
        : synthChartOfCdk8s.call(Cdk8sApp, chart);
    try {
      return render();
    } finally {
      synthesizer._synthChart = synthChartOfCdk8s;
    }
  }

  private forChecks({ chart, manifests }: RenderedChart): SynthesizedChart {
    const objects = manifests
      .filter((manifest): manifest is KubeObject => typeof manifest === 'object' && manifest !== null)
      .map((manifest) => ({ manifest, constructPath: this.constructPaths.get(manifest) ?? chart.node.path }));
    return { chart, objects, skipRules: BusinessScenario.isBusinessScenario(chart) ? chart.skipRules : undefined };
  }
}

function chartOwner(chart: Chart): FileOwner {
  return { constructPath: chart.node.path, description: `chart ${chart.node.path}` };
}

function objectOwner(apiObject: ApiObject): FileOwner {
  return {
    constructPath: apiObject.node.path,
    description: formatObjectRef({ kind: apiObject.kind, namespace: apiObject.metadata.namespace, name: apiObject.name }),
  };
}

const HOW_FILES_ARE_NAMED: Partial<Record<YamlOutputType, string>> = {
  [YamlOutputType.FILE_PER_CHART]:
    "YamlOutputType.FILE_PER_CHART names a chart's file by the chart's DNS label; give the charts ids that differ as DNS labels",
  [YamlOutputType.FILE_PER_RESOURCE]:
    'YamlOutputType.FILE_PER_RESOURCE names a file by kind and name only, not namespace; give the objects distinct names, or use YamlOutputType.FILE_PER_CHART',
  [YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE]:
    "YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE names a file in the chart's folder by kind and name only, not namespace; give the objects distinct names, or put them in different charts",
};

function failOnSharedFiles(files: readonly OutputFile[], yamlOutputType: YamlOutputType): void {
  const owners = new Map<string, FileOwner>();
  for (const { file, owner } of files) {
    const first = owners.get(file);
    if (first) {
      throw new BlueprintError(
        `${first.constructPath} and ${owner.constructPath}`,
        'output file',
        file,
        `${first.description} and ${owner.description} would both be written to it, the second overwriting the first. ${HOW_FILES_ARE_NAMED[yamlOutputType]}`,
      );
    }
    owners.set(file, owner);
  }
}

/**
 * Two objects with one API group, kind, namespace and name (two scenarios in one namespace defining a component of
 * the same id, say) are written to different files or documents, and `kubectl apply` keeps only the last.
 */
function failOnSharedIdentities(objects: readonly SynthesizedObject[]): void {
  const owners = new Map<string, SynthesizedObject>();
  for (const object of objects) {
    if (typeof object.manifest.metadata?.name !== 'string') {
      continue;
    }
    const identity = objectIdentity(object.manifest);
    const first = owners.get(identity);
    if (first) {
      const { kind, metadata, apiVersion } = object.manifest;
      throw new BlueprintError(
        `${first.constructPath} and ${object.constructPath}`,
        'object',
        formatObjectRef({ kind, namespace: metadata?.namespace, name: metadata?.name }),
        `both define ${apiVersion} ${kind} ${metadata?.name}${metadata?.namespace ? ` in namespace ${metadata.namespace}` : ''}, and applying both keeps only ` +
          'the last; give the components different ids, or put the scenarios in different namespaces',
      );
    }
    owners.set(identity, object);
  }
}

/** cdk8s's construct-metadata.json `resources`: the construct path of each object, keyed by the object's name alone. */
function constructMetadataOf(apiObjects: readonly ApiObject[]): Record<string, { path: string }> {
  const resources: Record<string, { path: string }> = {};
  const owners = new Map<string, ApiObject>();
  for (const apiObject of apiObjects) {
    const first = owners.get(apiObject.name);
    if (first) {
      throw new BlueprintError(
        `${first.node.path} and ${apiObject.node.path}`,
        'object name in construct-metadata.json',
        apiObject.name,
        `${objectOwner(first).description} and ${objectOwner(apiObject).description} share it, and recordConstructMetadata keys the file by name alone, ` +
          'so one construct would be lost; give the objects distinct names, or turn recordConstructMetadata off (cdk8s synth turns it on when cdk8s.yaml lists validations)',
      );
    }
    owners.set(apiObject.name, apiObject);
    resources[apiObject.name] = { path: apiObject.node.path };
  }
  return resources;
}
