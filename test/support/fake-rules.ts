import {
  BlueprintKeys,
  CheckReport,
  INVALID_SUPPRESSION,
  KubeObject,
  notApplicable,
  Rule,
  RULE_FAILED,
  runChecks,
  selectRules,
  Severity,
} from '../../lib';
import { statefulSet } from './checks';

/*
 * A small, stable rule catalog for the CLI and reporter tests: the real catalog grows while they are written, and
 * reports should be asserted on rules whose wording the tests own.
 */

export const NEEDS_PDB: Rule = {
  id: 'needs-pdb',
  title: 'A StatefulSet has a PodDisruptionBudget',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale: 'Without a budget a node drain may evict every replica at once.',
  fix: 'Add a PodDisruptionBudget that selects the pods.',
  enabledByDefault: true,
  check: (object, index) =>
    index.ofKind('PodDisruptionBudget').some((budget) => budget.metadata?.namespace === object.metadata?.namespace)
      ? []
      : [{ path: '', message: 'no PodDisruptionBudget in the namespace' }],
};

export const ENOUGH_REPLICAS: Rule = {
  id: 'enough-replicas',
  title: 'A workload runs at least 3 replicas',
  severity: Severity.WARNING,
  targets: ['StatefulSet', 'Deployment'],
  rationale: 'One replica down for an upgrade should leave two serving.',
  fix: 'Set spec.replicas to 3 or more.',
  enabledByDefault: true,
  check: (object) => {
    const replicas = object.spec?.replicas;
    if (replicas === undefined) {
      return notApplicable('no spec.replicas: an autoscaler owns it');
    }
    return replicas >= 3 ? [] : [{ path: 'spec.replicas', message: `${replicas} replicas, fewer than 3` }];
  },
};

export const IMAGE_DIGEST: Rule = {
  id: 'image-digest',
  title: 'Images are pinned by digest',
  severity: Severity.INFO,
  targets: ['StatefulSet', 'Deployment'],
  rationale: 'A tag can move; a digest cannot.',
  fix: 'Reference the image as name@sha256:digest.',
  enabledByDefault: false,
  check: (object) =>
    (object.spec?.template?.spec?.containers ?? [])
      .map((container: { image?: string }, position: number) => ({ container, position }))
      .filter(({ container }: { container: { image?: string } }) => !container.image?.includes('@sha256:'))
      .map(({ position }: { position: number }) => ({ path: `spec.template.spec.containers[${position}].image`, message: 'not pinned by digest' })),
};

export const FAKE_CATALOG: readonly Rule[] = [NEEDS_PDB, ENOUGH_REPLICAS, IMAGE_DIGEST, RULE_FAILED, INVALID_SUPPRESSION];

export function deployment(name: string, options: { replicas?: number; annotations?: Record<string, string> } = {}): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', annotations: options.annotations ?? {} },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'main:1.0.0' }] } },
    },
  };
}

/**
 * A report with an error and a warning on one object, a suppressed warning on a second, and a third object, synthesized
 * rather than read from a file, that the warning rule does not apply to.
 */
export function sampleReport(): CheckReport {
  const inputs = [
    { object: statefulSet('redis', { replicas: 2 }), location: { file: 'manifests/redis.yaml', line: 4 } },
    {
      object: deployment('web', { replicas: 1, annotations: { [BlueprintKeys.SUPPRESS]: 'enough-replicas: scaled out by its HPA' } }),
      location: { file: 'manifests/web.yaml', line: 1 },
    },
    { object: deployment('batch'), location: { constructPath: 'shop/batch/Resource' } },
  ];
  return runChecks(inputs, selectRules(FAKE_CATALOG), FAKE_CATALOG);
}
