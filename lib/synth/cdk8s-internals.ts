import { ApiObject, App as Cdk8sApp, Chart, DependencyGraph, Names } from 'cdk8s';
import { IConstruct, Node } from 'constructs';

/*
 * Reproductions of the parts of cdk8s's app.js (2.68.12 to 2.70.x, unchanged across the range) that are not exported:
 * SynthRequestCache, validate, resolveDependencies, chartToKube and the chart namers. They keep cdk8s's order of
 * iteration and its error texts, because our output and our errors must be the ones App.synth() gives.
 */

/** cdk8s's SynthRequestCache: `node.findAll()` once per node within one synthesis. */
export class SubtreeCache {
  private readonly subtrees = new Map<Node, IConstruct[]>();

  public findAll(node: Node): IConstruct[] {
    let subtree = this.subtrees.get(node);
    if (!subtree) {
      subtree = node.findAll();
      this.subtrees.set(node, subtree);
    }
    return subtree;
  }
}

/** Runs every construct's validations, in tree order; the message is cdk8s's, word for word. */
export function validateApp(app: Cdk8sApp, cache: SubtreeCache): void {
  const errors: string[] = [];
  for (const child of cache.findAll(app.node)) {
    for (const error of child.node.validate()) {
      errors.push(`[${child.node.path}] ${error}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

interface ConstructDependency {
  readonly source: IConstruct;
  readonly target: IConstruct;
}

function constructDependencies(app: Cdk8sApp, cache: SubtreeCache): ConstructDependency[] {
  const dependencies: ConstructDependency[] = [];
  for (const child of cache.findAll(app.node)) {
    for (const target of child.node.dependencies) {
      dependencies.push({ source: child, target });
    }
  }
  return dependencies;
}

/**
 * Lifts dependencies to what cdk8s orders by: a chart depends on its nested charts and on the charts its constructs
 * depend on, and each ApiObject on the ApiObjects its construct's dependency renders. Returns whether any chart
 * depends on another, which makes the chart file names carry an order prefix (`0000-`).
 */
export function resolveDependencies(app: Cdk8sApp, cache: SubtreeCache): boolean {
  let hasDependantCharts = false;
  for (const parentChart of cache.findAll(app.node).filter(Chart.isChart)) {
    for (const childChart of parentChart.node.children.filter(Chart.isChart)) {
      parentChart.node.addDependency(childChart);
      hasDependantCharts = true;
    }
  }
  for (const dependency of constructDependencies(app, cache)) {
    const sourceChart = Chart.of(dependency.source);
    const targetChart = Chart.of(dependency.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  // cdk8s collects the dependencies a second time here, so the chart dependencies just added take part too.
  for (const dependency of constructDependencies(app, cache)) {
    const sourceChart = Chart.of(dependency.source);
    const targetChart = Chart.of(dependency.target);
    const targetApiObjects = apiObjectsOf(dependency.target, targetChart, cache);
    const sourceApiObjects = apiObjectsOf(dependency.source, sourceChart, cache);
    for (const target of targetApiObjects) {
      for (const source of sourceApiObjects) {
        if (target !== source) {
          source.node.addDependency(target);
        }
      }
    }
  }
  return hasDependantCharts;
}

function apiObjectsOf(construct: IConstruct, chart: Chart, cache: SubtreeCache): ApiObject[] {
  return cache
    .findAll(construct.node)
    .filter(ApiObject.isApiObject)
    .filter((apiObject) => Chart.of(apiObject) === chart);
}

/** The ApiObjects a chart renders, dependencies first; an object belongs to its closest chart only. */
export function chartToKube(chart: Chart): ApiObject[] {
  const subtree = chart.node.findAll();
  // Without a dependency inside the chart the graph has no edge, and its topology is the order the vertices were
  // added in: the tree's. Its paths, keys of the graph's vertex object, all hold a "/" below the chart itself, so
  // none is an integer key that would move ahead.
  const constructs = subtree.some((construct) => construct.node.dependencies.length > 0) ? new DependencyGraph(chart.node).topology() : subtree;
  return constructs.filter(ApiObject.isApiObject).filter((apiObject) => Chart.of(apiObject) === chart);
}

/** Names chart files and folders: the chart's DNS label, prefixed `0000-`, `0001-`, ... once any chart depends on another. */
export class ChartNamer {
  private index = 0;

  constructor(private readonly indexed: boolean) {}

  public name(chart: Chart): string {
    const label = Names.toDnsLabel(chart);
    if (!this.indexed) {
      return label;
    }
    const name = `${this.index.toString().padStart(4, '0')}-${label}`;
    this.index++;
    return name;
  }
}

/** The file name FILE_PER_RESOURCE and FOLDER_PER_CHART_FILE_PER_RESOURCE give an object: kind and name, nothing else. */
export function resourceFileName(manifest: { readonly kind: string; readonly metadata?: { readonly name?: string } }): string {
  // Without metadata cdk8s fails here with a TypeError, and so do we.
  return `${manifest.kind}.${manifest.metadata!.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}
