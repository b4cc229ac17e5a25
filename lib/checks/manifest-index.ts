import type { KubeObject, ManifestIndexReader } from './model';
import { podSelectorOf, podTemplateOf, selectorMatches } from './selectors';

type Labels = Readonly<Record<string, string>>;

/** Selector-bearing objects of one kind in one namespace, found through any one of their `matchLabels` pairs. */
interface SelectorBucket {
  readonly byLabelPair: Map<string, KubeObject[]>;
  /** Selectors without `matchLabels`: checked against every label set. */
  readonly unkeyed: KubeObject[];
}

/** Pods and pod templates of one namespace, found through any one of their label pairs. */
interface PodBucket {
  readonly byLabelPair: Map<string, KubeObject[]>;
  readonly all: KubeObject[];
}

/**
 * Every object of a check run, indexed once so that relating objects (the PDB of a StatefulSet, the pods of a
 * NetworkPolicy) costs time proportional to the candidates sharing a label, not to the number of objects.
 */
export class ManifestIndex implements ManifestIndexReader {
  public readonly objects: readonly KubeObject[];
  private readonly byKind = new Map<string, KubeObject[]>();
  private readonly byName = new Map<string, KubeObject>();
  private readonly byIdentity = new Map<string, KubeObject[]>();
  private readonly selectorBuckets = new Map<string, Map<string, SelectorBucket>>();
  private podBuckets: Map<string, PodBucket> | undefined;

  constructor(objects: readonly KubeObject[]) {
    this.objects = objects;
    for (const object of objects) {
      pushTo(this.byKind, object.kind, object);
      const name = object.metadata?.name;
      if (typeof name === 'string') {
        this.byName.set(nameKey(object.kind, object.metadata?.namespace, name), object);
        pushTo(this.byIdentity, objectIdentity(object), object);
      }
    }
  }

  public ofKind(kind: string): readonly KubeObject[] {
    return this.byKind.get(kind) ?? [];
  }

  public find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byName.get(nameKey(kind, namespace, name));
  }

  public sharingIdentity(object: KubeObject): readonly KubeObject[] {
    return typeof object.metadata?.name === 'string' ? (this.byIdentity.get(objectIdentity(object)) ?? []) : [];
  }

  public selecting(kind: string, namespace: string | undefined, labels: Labels): readonly KubeObject[] {
    const bucket = this.selectorBucketsOf(kind).get(namespace ?? '');
    if (!bucket) {
      return [];
    }
    const candidates = new Set<KubeObject>(bucket.unkeyed);
    for (const [key, value] of Object.entries(labels)) {
      for (const candidate of bucket.byLabelPair.get(labelPair(key, value)) ?? []) {
        candidates.add(candidate);
      }
    }
    return [...candidates].filter((candidate) => selectorMatches(podSelectorOf(candidate), labels));
  }

  public podsMatching(namespace: string | undefined, selector: unknown): readonly KubeObject[] {
    const bucket = this.podBucketsOf().get(namespace ?? '');
    if (!bucket) {
      return [];
    }
    const matchLabels = (selector as { matchLabels?: Labels } | undefined)?.matchLabels;
    const firstPair = matchLabels ? Object.entries(matchLabels)[0] : undefined;
    const candidates = firstPair ? (bucket.byLabelPair.get(labelPair(firstPair[0], firstPair[1])) ?? []) : bucket.all;
    return candidates.filter((candidate) => selectorMatches(selector, podTemplateOf(candidate)?.metadata.labels ?? {}));
  }

  private selectorBucketsOf(kind: string): Map<string, SelectorBucket> {
    let buckets = this.selectorBuckets.get(kind);
    if (!buckets) {
      buckets = new Map();
      for (const object of this.ofKind(kind)) {
        const namespace = object.metadata?.namespace ?? '';
        let bucket = buckets.get(namespace);
        if (!bucket) {
          bucket = { byLabelPair: new Map(), unkeyed: [] };
          buckets.set(namespace, bucket);
        }
        const matchLabels = (podSelectorOf(object) as { matchLabels?: Labels } | undefined)?.matchLabels;
        const firstPair = matchLabels && typeof matchLabels === 'object' ? Object.entries(matchLabels)[0] : undefined;
        if (firstPair) {
          pushTo(bucket.byLabelPair, labelPair(firstPair[0], firstPair[1]), object);
        } else {
          bucket.unkeyed.push(object);
        }
      }
      this.selectorBuckets.set(kind, buckets);
    }
    return buckets;
  }

  private podBucketsOf(): Map<string, PodBucket> {
    if (!this.podBuckets) {
      this.podBuckets = new Map();
      for (const object of this.objects) {
        const template = podTemplateOf(object);
        if (!template) {
          continue;
        }
        const namespace = object.metadata?.namespace ?? '';
        let bucket = this.podBuckets.get(namespace);
        if (!bucket) {
          bucket = { byLabelPair: new Map(), all: [] };
          this.podBuckets.set(namespace, bucket);
        }
        bucket.all.push(object);
        for (const [key, value] of Object.entries(template.metadata.labels ?? {})) {
          pushTo(bucket.byLabelPair, labelPair(key, value), object);
        }
      }
    }
    return this.podBuckets;
  }
}

/**
 * What the API server keys an object by: API group (not version), kind, namespace and name. Two objects with the same
 * identity are one object to `kubectl apply`: the second overwrites the first.
 */
export function objectIdentity(object: KubeObject): string {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return `${group}\u0000${nameKey(object.kind, object.metadata?.namespace, String(object.metadata?.name))}`;
}

function nameKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function labelPair(key: string, value: string): string {
  return `${key}=${value}`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}
