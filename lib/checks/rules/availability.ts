import { BlueprintKeys } from '../../core/labels';
import { KubeObject, ManifestIndexReader, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../model';
import { annotation, POD_KINDS, podSpecPath, REPLICATED_KINDS, violation } from '../pod-helpers';
import { isRecord, podTemplateOf, selectorMatches } from '../selectors';
import { allowedDisruptions, replicasOf, scaledIntOrPercent } from './workload-facts';

/** Topology keys whose domains never share a node: separating pods across any of them separates their hosts. */
const HOST_SEPARATING_KEYS = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
];

/** The HorizontalPodAutoscaler of each workload (`Kind/namespace/name`), built once per run rather than scanned per workload. */
const autoscalersByRun = new WeakMap<ManifestIndexReader, Map<string, KubeObject>>();

function workloadKey(kind: unknown, namespace: string | undefined, name: unknown): string {
  return `${String(kind)}/${namespace ?? ''}/${String(name)}`;
}

function autoscalerOf(object: KubeObject, index: ManifestIndexReader): KubeObject | undefined {
  let byWorkload = autoscalersByRun.get(index);
  if (!byWorkload) {
    byWorkload = new Map();
    for (const autoscaler of index.ofKind('HorizontalPodAutoscaler')) {
      const target = autoscaler.spec?.scaleTargetRef;
      byWorkload.set(workloadKey(target?.kind, autoscaler.metadata?.namespace, target?.name), autoscaler);
    }
    autoscalersByRun.set(index, byWorkload);
  }
  return byWorkload.get(workloadKey(object.kind, object.metadata?.namespace, object.metadata?.name));
}

function autoscalerBound(autoscaler: KubeObject, bound: 'minReplicas' | 'maxReplicas'): number {
  const value = autoscaler.spec?.[bound];
  return typeof value === 'number' ? value : 1;
}

/** The most pods a workload runs: its autoscaler's maximum, or its replicas. */
function peakReplicas(object: KubeObject, index: ManifestIndexReader): number {
  const autoscaler = autoscalerOf(object, index);
  return autoscaler ? autoscalerBound(autoscaler, 'maxReplicas') : replicasOf(object);
}

/** The fewest pods a workload runs, which is when a budget is tightest: its autoscaler's minimum, or its replicas. */
function floorReplicas(object: KubeObject, index: ManifestIndexReader): { replicas: number; source: string } {
  const autoscaler = autoscalerOf(object, index);
  return autoscaler
    ? { replicas: autoscalerBound(autoscaler, 'minReplicas'), source: ` (the minimum of HorizontalPodAutoscaler ${autoscaler.metadata?.name})` }
    : { replicas: replicasOf(object), source: '' };
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function hasBudgetRule(kind: 'StatefulSet' | 'Deployment', severity: Severity, rationale: string): Rule {
  return {
    id: `${kind.toLowerCase()}-has-pdb`,
    title: `A ${kind} with 2 or more replicas is targeted by a PodDisruptionBudget`,
    severity,
    targets: [kind],
    rationale,
    fix: 'Add a PodDisruptionBudget whose selector matches the pod template labels, with maxUnavailable 1 (or replicas minus the quorum).',
    enabledByDefault: true,
    check(object, index): RuleOutcome {
      const replicas = peakReplicas(object, index);
      const labels = podTemplateOf(object)?.metadata.labels;
      if (replicas < 2) {
        return notApplicable(`fewer than 2 replicas (${replicas})`);
      }
      if (/^\d+$/.test(annotation(object, BlueprintKeys.QUORUM) ?? '')) {
        return notApplicable(`annotated ${BlueprintKeys.QUORUM}: pdb-preserves-quorum judges its budget against the quorum`);
      }
      if (!labels || Object.keys(labels).length === 0) {
        return notApplicable('the pod template has no labels a PodDisruptionBudget could select');
      }
      return index.selecting('PodDisruptionBudget', object.metadata?.namespace, labels).length > 0
        ? []
        : [violation('', `no PodDisruptionBudget selects the pods, so a node drain may evict all ${replicas} at once`)];
    },
  };
}

export const STATEFULSET_HAS_PDB = hasBudgetRule(
  'StatefulSet',
  Severity.ERROR,
  'Without a budget a node drain or cluster upgrade may evict every replica of a data store at once: the store is down until they ' +
    'are rescheduled, their volumes re-attached and their data reloaded or resynchronised.',
);

export const DEPLOYMENT_HAS_PDB = hasBudgetRule(
  'Deployment',
  Severity.WARNING,
  'Without a budget a node drain may evict every replica of a Deployment at once. The pods are stateless and come back within ' +
    'seconds, which is why this is a warning where the StatefulSet rule is an error.',
);

export const PDB_HAS_POLICY: Rule = {
  id: 'pdb-has-policy',
  title: 'A PodDisruptionBudget sets exactly one valid minAvailable or maxUnavailable',
  severity: Severity.ERROR,
  targets: ['PodDisruptionBudget'],
  rationale:
    'The API accepts a budget with neither field, and the disruption controller then counts no expected pod and allows no eviction ' +
    'at all, so it blocks every node drain; a value that is neither an integer nor a percentage, or both fields at once, is rejected ' +
    'by the API server.',
  fix: 'Set maxUnavailable (an integer such as 1, or a percentage such as "25%"), or minAvailable, but not both.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const spec = isRecord(object.spec) ? object.spec : {};
    const fields = (['minAvailable', 'maxUnavailable'] as const).filter((field) => spec[field] !== undefined);
    if (fields.length === 0) {
      return [violation('spec', 'sets neither minAvailable nor maxUnavailable, so the disruption controller allows no eviction at all')];
    }
    if (fields.length === 2) {
      return [violation('spec', `sets both minAvailable (${spec.minAvailable}) and maxUnavailable (${spec.maxUnavailable}); set one`)];
    }
    const [field] = fields;
    return scaledIntOrPercent(spec[field], 1) === undefined
      ? [violation(`spec.${field}`, `${field} ${JSON.stringify(spec[field])} is neither a whole number nor a percentage such as "25%"`)]
      : [];
  },
};

export const PDB_ALLOWS_EVICTION: Rule = {
  id: 'pdb-allows-eviction',
  title: 'A PodDisruptionBudget lets at least one pod of each workload it selects be evicted',
  severity: Severity.ERROR,
  targets: ['PodDisruptionBudget'],
  rationale:
    'A budget that allows no eviction (maxUnavailable 0, minAvailable 100% or at least the replicas, or the autoscaler minimum) ' +
    'blocks every node drain: cluster upgrades and autoscaler scale-downs stall, and operators end up force-deleting pods, ' +
    'which bypasses the budget altogether.',
  fix: 'Use maxUnavailable 1 (or replicas minus the quorum), or lower minAvailable below the smallest replica count.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const spec = isRecord(object.spec) ? object.spec : {};
    const field = spec.maxUnavailable !== undefined ? 'maxUnavailable' : 'minAvailable';
    if (allowedDisruptions(object, 1) === undefined) {
      return notApplicable('no valid minAvailable or maxUnavailable (see pdb-has-policy)');
    }
    if (spec.maxUnavailable === 0 || spec.maxUnavailable === '0%' || spec.minAvailable === '100%') {
      return [violation(`spec.${field}`, `${field} ${JSON.stringify(spec[field])} allows no eviction, which blocks every node drain`)];
    }
    const workloads = index
      .podsMatching(object.metadata?.namespace, spec.selector)
      .filter((workload) => (REPLICATED_KINDS as readonly string[]).includes(workload.kind));
    return workloads.flatMap((workload): Violation[] => {
      const { replicas, source } = floorReplicas(workload, index);
      const allowed = allowedDisruptions(object, replicas) ?? 0;
      return allowed >= 1
        ? []
        : [
            violation(
              `spec.${field}`,
              `${field} ${JSON.stringify(spec[field])} allows no eviction of the ${replicas} pods of ${workload.kind} ${workload.metadata?.name}` +
                `${source}, which blocks every node drain`,
            ),
          ];
    });
  },
};

export const PDB_UNHEALTHY_POD_EVICTION_POLICY: Rule = {
  id: 'pdb-unhealthy-pod-eviction-policy',
  title: 'A PodDisruptionBudget lets pods that are not ready be evicted (unhealthyPodEvictionPolicy AlwaysAllow)',
  severity: Severity.WARNING,
  targets: ['PodDisruptionBudget'],
  rationale:
    'With the default IfHealthyBudget a pod that runs but never becomes ready (crash loop, stuck replica sync) cannot be evicted ' +
    'while the budget is spent, so a broken pod blocks the drain that would move it to a healthy node.',
  fix: 'Set spec.unhealthyPodEvictionPolicy: AlwaysAllow.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const policy = object.spec?.unhealthyPodEvictionPolicy;
    return policy === 'AlwaysAllow'
      ? []
      : [
          violation(
            'spec.unhealthyPodEvictionPolicy',
            `unhealthyPodEvictionPolicy is ${policy === undefined ? 'unset (IfHealthyBudget)' : JSON.stringify(policy)}: a pod that is not ready ` +
              'then blocks node drains whenever the budget is spent',
          ),
        ];
  },
};

function affinityTerms(spec: any): any[] {
  const antiAffinity = spec.affinity?.podAntiAffinity;
  const required = antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const preferred = antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return [...(Array.isArray(required) ? required : []), ...(Array.isArray(preferred) ? preferred.map((weighted) => weighted?.podAffinityTerm) : [])];
}

export const HOST_ANTI_AFFINITY: Rule = {
  id: 'host-anti-affinity',
  title: 'The replicas of a workload are kept apart by pod anti-affinity or a topology spread constraint on hosts, zones or regions',
  severity: Severity.WARNING,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'Replicas on one node all fail with it, which defeats replication. The scheduler already spreads pods softly by default, so an ' +
    'explicit term tightens a default rather than filling a void: a warning.',
  fix:
    'Add pod anti-affinity (required, or preferred) or a topologySpreadConstraint on kubernetes.io/hostname or ' +
    'topology.kubernetes.io/zone, with a labelSelector matching the pod template labels.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    const replicas = peakReplicas(object, index);
    if (!template) {
      return notApplicable('no pod template');
    }
    if (replicas < 2) {
      return notApplicable(`fewer than 2 replicas (${replicas})`);
    }
    const labels = template.metadata.labels ?? {};
    const spreads = Array.isArray(template.spec.topologySpreadConstraints) ? template.spec.topologySpreadConstraints : [];
    const separating = [...affinityTerms(template.spec), ...spreads].filter((term) => HOST_SEPARATING_KEYS.includes(term?.topologyKey));
    if (separating.some((term) => selectorMatches(term.labelSelector, labels))) {
      return [];
    }
    const path = `${podSpecPath(template)}.affinity.podAntiAffinity`;
    return [
      separating.length > 0
        ? violation(path, `the anti-affinity and spread terms on hosts, zones or regions select other pods than these (${formatLabels(labels)})`)
        : violation(path, `${replicas} replicas and no anti-affinity or spread term on hosts, zones or regions: one node failure may take several`),
    ];
  },
};

export const TOPOLOGY_SPREAD_WELL_FORMED: Rule = {
  id: 'topology-spread-well-formed',
  title: 'Each topology spread constraint counts the pods of its own workload and is valid',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A constraint without a labelSelector, or with one that matches other pods, counts nothing of its own workload and spreads ' +
    'nothing while looking like it does; maxSkew below 1, a missing topologyKey, an unknown whenUnsatisfiable or minDomains with ' +
    'ScheduleAnyway are rejected by the API server.',
  fix:
    'Give each constraint a labelSelector matching the pod template labels, a topologyKey, maxSkew of at least 1, whenUnsatisfiable ' +
    'DoNotSchedule or ScheduleAnyway, and minDomains only with DoNotSchedule.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const template = podTemplateOf(object);
    const constraints = template?.spec.topologySpreadConstraints;
    if (!template || !Array.isArray(constraints) || constraints.length === 0) {
      return notApplicable('no topologySpreadConstraints');
    }
    const labels = template.metadata.labels ?? {};
    return constraints.flatMap((constraint: any, position: number) => {
      const path = `${podSpecPath(template)}.topologySpreadConstraints[${position}]`;
      const found: Violation[] = [];
      if (constraint?.labelSelector === undefined) {
        found.push(violation(`${path}.labelSelector`, 'no labelSelector: the constraint counts no pods, so it spreads nothing'));
      } else if (!selectorMatches(constraint.labelSelector, labels)) {
        found.push(violation(`${path}.labelSelector`, `the labelSelector does not match the pod template labels (${formatLabels(labels)})`));
      }
      if (!Number.isInteger(constraint?.maxSkew) || constraint.maxSkew < 1) {
        found.push(violation(`${path}.maxSkew`, `maxSkew ${JSON.stringify(constraint?.maxSkew)} is not a whole number of at least 1`));
      }
      if (typeof constraint?.topologyKey !== 'string' || constraint.topologyKey === '') {
        found.push(violation(`${path}.topologyKey`, 'no topologyKey'));
      }
      if (!['DoNotSchedule', 'ScheduleAnyway'].includes(constraint?.whenUnsatisfiable)) {
        found.push(
          violation(
            `${path}.whenUnsatisfiable`,
            `whenUnsatisfiable ${JSON.stringify(constraint?.whenUnsatisfiable)} is not DoNotSchedule or ScheduleAnyway`,
          ),
        );
      }
      if (constraint?.minDomains !== undefined) {
        if (!Number.isInteger(constraint.minDomains) || constraint.minDomains < 1) {
          found.push(violation(`${path}.minDomains`, `minDomains ${JSON.stringify(constraint.minDomains)} is not a whole number of at least 1`));
        } else if (constraint.whenUnsatisfiable !== 'DoNotSchedule') {
          found.push(violation(`${path}.minDomains`, `minDomains ${constraint.minDomains} is only allowed with whenUnsatisfiable DoNotSchedule`));
        }
      }
      return found;
    });
  },
};

export const WORKLOAD_HAS_MULTIPLE_REPLICAS: Rule = {
  id: 'workload-has-multiple-replicas',
  title: 'A Deployment or StatefulSet runs at least 2 replicas',
  severity: Severity.WARNING,
  targets: ['Deployment', 'StatefulSet'],
  rationale:
    'A single replica makes every node failure, drain, eviction and rollout an outage. A standalone store may be a deliberate ' +
    'choice (a development environment, a replaceable cache), so this is a warning to suppress with the reason.',
  fix: 'Set spec.replicas to 2 or more (an odd number of at least 3 for a voting set).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const autoscaler = autoscalerOf(object, index);
    if (autoscaler) {
      return notApplicable(`scaled by HorizontalPodAutoscaler ${autoscaler.metadata?.name} (see hpa-min-replicas)`);
    }
    const replicas = replicasOf(object);
    return replicas >= 2
      ? []
      : [violation('spec.replicas', `replicas is ${object.spec?.replicas === undefined ? 'unset (1)' : replicas}: one pod failure is an outage`)];
  },
};

export const POD_PRIORITY_CLASS: Rule = {
  id: 'pod-priority-class',
  title: 'A long-running workload sets a priorityClassName',
  severity: Severity.WARNING,
  targets: ['Deployment', 'StatefulSet', 'DaemonSet'],
  rationale:
    'Without a priority class the pods share the default priority with every batch job, so on a full cluster they wait behind them ' +
    'to be scheduled and are as likely to be preempted.',
  fix: 'Set spec.template.spec.priorityClassName to the PriorityClass of the workload tier (BusinessScenario creates them).',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const template = podTemplateOf(object);
    if (!template) {
      return notApplicable('no pod template');
    }
    const name = template.spec.priorityClassName;
    return typeof name === 'string' && name !== ''
      ? []
      : [violation(`${podSpecPath(template)}.priorityClassName`, 'no priorityClassName: the pods get the default priority of batch jobs')];
  },
};

export const HPA_MIN_REPLICAS: Rule = {
  id: 'hpa-min-replicas',
  title: 'A HorizontalPodAutoscaler keeps at least 2 replicas',
  severity: Severity.WARNING,
  targets: ['HorizontalPodAutoscaler'],
  rationale: 'An autoscaler that may scale to one replica turns the quiet hours into a single point of failure.',
  fix: 'Set spec.minReplicas to 2 or more.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const minReplicas = autoscalerBound(object, 'minReplicas');
    return minReplicas >= 2
      ? []
      : [
          violation(
            'spec.minReplicas',
            `minReplicas ${object.spec?.minReplicas === undefined ? 'is unset (1)' : minReplicas}: at quiet hours one pod is left`,
          ),
        ];
  },
};

export const HPA_HAS_TARGET: Rule = {
  id: 'hpa-has-target',
  title: 'A HorizontalPodAutoscaler scales an object of the same manifests',
  severity: Severity.WARNING,
  targets: ['HorizontalPodAutoscaler'],
  rationale: 'An autoscaler whose target does not exist (a typo, a renamed workload) scales nothing, and the workload keeps its static size.',
  fix: 'Point spec.scaleTargetRef at the kind and name of the workload, in the same namespace.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const target = object.spec?.scaleTargetRef;
    const found =
      typeof target?.kind === 'string' && typeof target?.name === 'string' && index.find(target.kind, object.metadata?.namespace, target.name);
    return found
      ? []
      : [violation('spec.scaleTargetRef', `scaleTargetRef ${target?.kind}/${target?.name} is not among the checked objects of its namespace`)];
  },
};

export const HPA_TARGET_HAS_NO_REPLICAS: Rule = {
  id: 'hpa-target-has-no-replicas',
  title: 'A workload scaled by a HorizontalPodAutoscaler does not set replicas',
  severity: Severity.WARNING,
  targets: ['Deployment', 'StatefulSet'],
  rationale: 'Every apply resets a static replicas field, undoing the scale-up the autoscaler made under load until it reacts again.',
  fix: 'Remove spec.replicas and let the autoscaler own the size.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const autoscaler = autoscalerOf(object, index);
    if (!autoscaler) {
      return notApplicable('not scaled by a HorizontalPodAutoscaler');
    }
    const replicas = object.spec?.replicas;
    return replicas === undefined
      ? []
      : [
          violation(
            'spec.replicas',
            `replicas ${replicas} is set although HorizontalPodAutoscaler ${autoscaler.metadata?.name} scales the workload: every apply resets it`,
          ),
        ];
  },
};

export const AVAILABILITY_RULES: readonly Rule[] = [
  STATEFULSET_HAS_PDB,
  DEPLOYMENT_HAS_PDB,
  PDB_HAS_POLICY,
  PDB_ALLOWS_EVICTION,
  PDB_UNHEALTHY_POD_EVICTION_POLICY,
  HOST_ANTI_AFFINITY,
  TOPOLOGY_SPREAD_WELL_FORMED,
  WORKLOAD_HAS_MULTIPLE_REPLICAS,
  POD_PRIORITY_CLASS,
  HPA_MIN_REPLICAS,
  HPA_HAS_TARGET,
  HPA_TARGET_HAS_NO_REPLICAS,
];
