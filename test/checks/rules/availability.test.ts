import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib';
import {
  DEPLOYMENT_HAS_PDB,
  HOST_ANTI_AFFINITY,
  HPA_HAS_TARGET,
  HPA_MIN_REPLICAS,
  HPA_TARGET_HAS_NO_REPLICAS,
  PDB_ALLOWS_EVICTION,
  PDB_HAS_POLICY,
  PDB_UNHEALTHY_POD_EVICTION_POLICY,
  POD_PRIORITY_CLASS,
  STATEFULSET_HAS_PDB,
  TOPOLOGY_SPREAD_WELL_FORMED,
  WORKLOAD_HAS_MULTIPLE_REPLICAS,
} from '../../../lib/checks/rules/availability';
import { disruptionBudget, judge, statefulSet } from '../../support/checks';

function fixture(name: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(__dirname, '../../fixtures/checks', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

function find(objects: KubeObject[], kind: string): KubeObject {
  return objects.find((object) => object.kind === kind)!;
}

function deployment(name: string, spec: object = {}): KubeObject {
  return { ...statefulSet(name, { spec }), kind: 'Deployment' };
}

const HOSTNAME = 'kubernetes.io/hostname';

describe('statefulset-has-pdb: a StatefulSet with 2 or more replicas is targeted by a PodDisruptionBudget', () => {
  test('Compliance: a PDB in the same namespace selects the pods', () => {
    expect(judge(STATEFULSET_HAS_PDB, fixture('statefulset-pdb-covered'))).toEqual([]);
  });

  test('Noncompliance 1: no PDB', () => {
    expect(judge(STATEFULSET_HAS_PDB, [statefulSet('store')])).toEqual([
      ': no PodDisruptionBudget selects the pods, so a node drain may evict all 3 at once',
    ]);
  });

  test('Noncompliance 2: the only matching PDB is in another namespace', () => {
    expect(judge(STATEFULSET_HAS_PDB, fixture('statefulset-pdb-other-namespace'))).toEqual([
      ': no PodDisruptionBudget selects the pods, so a node drain may evict all 3 at once',
    ]);
  });

  test('Not applicable with a single replica, as in kube-score', () => {
    expect(judge(STATEFULSET_HAS_PDB, [statefulSet('store', { replicas: 1 })])).toEqual({ notApplicable: 'fewer than 2 replicas (1)' });
  });

  test('Not applicable to a quorum-based set, which pdb-preserves-quorum judges', () => {
    expect(judge(STATEFULSET_HAS_PDB, [statefulSet('voters', { annotations: { 'stability-blueprints.io/quorum': '2' } })])).toEqual({
      notApplicable: 'annotated stability-blueprints.io/quorum: pdb-preserves-quorum judges its budget against the quorum',
    });
  });
});

describe('deployment-has-pdb: a Deployment with 2 or more replicas is targeted by a PodDisruptionBudget', () => {
  test('Compliance: a PDB selects the pods', () => {
    expect(judge(DEPLOYMENT_HAS_PDB, [deployment('api'), disruptionBudget('api', { app: 'api' }, { maxUnavailable: 1 })])).toEqual([]);
  });

  test('Noncompliance: no PDB, counting the autoscaler maximum', () => {
    const objects = fixture('poddisruptionbudget-eviction-hpa-min-replicas').filter((object) => object.kind !== 'PodDisruptionBudget');
    expect(judge(DEPLOYMENT_HAS_PDB, objects, find(objects, 'Deployment'))).toEqual([
      ': no PodDisruptionBudget selects the pods, so a node drain may evict all 5 at once',
    ]);
  });

  test('Not applicable with a single replica', () => {
    expect(judge(DEPLOYMENT_HAS_PDB, [deployment('api', { replicas: 1 })])).toEqual({ notApplicable: 'fewer than 2 replicas (1)' });
  });
});

describe('pdb-has-policy: a PodDisruptionBudget sets exactly one valid minAvailable or maxUnavailable', () => {
  test('Compliance: maxUnavailable 1', () => {
    expect(judge(PDB_HAS_POLICY, [disruptionBudget('store', { app: 'store' }, { maxUnavailable: 1 })])).toEqual([]);
  });

  test('Compliance: minAvailable as a percentage', () => {
    expect(judge(PDB_HAS_POLICY, [disruptionBudget('store', { app: 'store' }, { minAvailable: '50%' })])).toEqual([]);
  });

  test('Noncompliance 1: no policy', () => {
    expect(judge(PDB_HAS_POLICY, [disruptionBudget('store', { app: 'store' }, {})])).toEqual([
      'spec: sets neither minAvailable nor maxUnavailable, so the disruption controller allows no eviction at all',
    ]);
  });

  test('Noncompliance 2: both fields', () => {
    expect(judge(PDB_HAS_POLICY, [disruptionBudget('store', { app: 'store' }, { minAvailable: 2, maxUnavailable: 1 })])).toEqual([
      'spec: sets both minAvailable (2) and maxUnavailable (1); set one',
    ]);
  });

  test('Noncompliance 3: a percentage without its sign', () => {
    expect(judge(PDB_HAS_POLICY, [disruptionBudget('store', { app: 'store' }, { maxUnavailable: '50' })])).toEqual([
      'spec.maxUnavailable: maxUnavailable "50" is neither a whole number nor a percentage such as "25%"',
    ]);
  });
});

describe('pdb-allows-eviction: a PodDisruptionBudget lets at least one pod of each workload it selects be evicted', () => {
  test('Compliance: maxUnavailable 1 over 3 replicas', () => {
    const objects = fixture('statefulset-pdb-covered');
    expect(judge(PDB_ALLOWS_EVICTION, objects, find(objects, 'PodDisruptionBudget'))).toEqual([]);
  });

  test('Compliance: minAvailable below the replicas', () => {
    expect(judge(PDB_ALLOWS_EVICTION, [disruptionBudget('store', { app: 'store' }, { minAvailable: 2 }), statefulSet('store')])).toEqual([]);
  });

  test('Noncompliance 1: maxUnavailable 0, whatever the workload', () => {
    expect(judge(PDB_ALLOWS_EVICTION, [disruptionBudget('store', { app: 'store' }, { maxUnavailable: 0 })])).toEqual([
      'spec.maxUnavailable: maxUnavailable 0 allows no eviction, which blocks every node drain',
    ]);
  });

  test('Noncompliance 2: minAvailable 100%', () => {
    expect(judge(PDB_ALLOWS_EVICTION, [disruptionBudget('store', { app: 'store' }, { minAvailable: '100%' })])).toEqual([
      'spec.minAvailable: minAvailable "100%" allows no eviction, which blocks every node drain',
    ]);
  });

  test('Noncompliance 3: minAvailable equal to the replicas', () => {
    expect(judge(PDB_ALLOWS_EVICTION, fixture('poddisruptionbudget-eviction-min-available-equals-replicas'))).toEqual([
      'spec.minAvailable: minAvailable 3 allows no eviction of the 3 pods of StatefulSet store, which blocks every node drain',
    ]);
  });

  test('Noncompliance 4: minAvailable equal to the autoscaler minimum', () => {
    expect(judge(PDB_ALLOWS_EVICTION, fixture('poddisruptionbudget-eviction-hpa-min-replicas'))).toEqual([
      'spec.minAvailable: minAvailable 2 allows no eviction of the 2 pods of Deployment api (the minimum of HorizontalPodAutoscaler api), ' +
        'which blocks every node drain',
    ]);
  });

  test('Not applicable without a valid policy', () => {
    expect(judge(PDB_ALLOWS_EVICTION, [disruptionBudget('store', { app: 'store' }, {})])).toEqual({
      notApplicable: 'no valid minAvailable or maxUnavailable (see pdb-has-policy)',
    });
  });
});

describe('pdb-unhealthy-pod-eviction-policy: a PodDisruptionBudget lets pods that are not ready be evicted', () => {
  test('Compliance: AlwaysAllow', () => {
    const objects = fixture('statefulset-pdb-covered');
    expect(judge(PDB_UNHEALTHY_POD_EVICTION_POLICY, objects, find(objects, 'PodDisruptionBudget'))).toEqual([]);
  });

  test('Noncompliance 1: unset', () => {
    expect(judge(PDB_UNHEALTHY_POD_EVICTION_POLICY, [disruptionBudget('store', { app: 'store' }, { maxUnavailable: 1 })])).toEqual([
      'spec.unhealthyPodEvictionPolicy: unhealthyPodEvictionPolicy is unset (IfHealthyBudget): a pod that is not ready then blocks node ' +
        'drains whenever the budget is spent',
    ]);
  });

  test('Noncompliance 2: IfHealthyBudget', () => {
    const budget = disruptionBudget('store', { app: 'store' }, { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'IfHealthyBudget' });
    expect(judge(PDB_UNHEALTHY_POD_EVICTION_POLICY, [budget])).toEqual([
      'spec.unhealthyPodEvictionPolicy: unhealthyPodEvictionPolicy is "IfHealthyBudget": a pod that is not ready then blocks node ' +
        'drains whenever the budget is spent',
    ]);
  });
});

describe('host-anti-affinity: the replicas of a workload are kept apart on hosts, zones or regions', () => {
  const term = (labels: Record<string, string>, topologyKey = HOSTNAME) => ({ labelSelector: { matchLabels: labels }, topologyKey });

  test('Compliance 1: required anti-affinity on the hostname', () => {
    const podSpec = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'store' })] } } };
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { podSpec })])).toEqual([]);
  });

  test('Compliance 2: preferred anti-affinity on the zone', () => {
    const preferred = [{ weight: 100, podAffinityTerm: term({ app: 'store' }, 'topology.kubernetes.io/zone') }];
    const podSpec = { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } } };
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { podSpec })])).toEqual([]);
  });

  test('Compliance 3: a topology spread constraint on the hostname', () => {
    const podSpec = { topologySpreadConstraints: [{ ...term({ app: 'store' }), maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { podSpec })])).toEqual([]);
  });

  test('Noncompliance 1: no term at all', () => {
    expect(judge(HOST_ANTI_AFFINITY, [deployment('api')])).toEqual([
      'spec.template.spec.affinity.podAntiAffinity: 3 replicas and no anti-affinity or spread term on hosts, zones or regions: one node ' +
        'failure may take several',
    ]);
  });

  test('Noncompliance 2: the term selects other pods', () => {
    const podSpec = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'other' })] } } };
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { podSpec })])).toEqual([
      'spec.template.spec.affinity.podAntiAffinity: the anti-affinity and spread terms on hosts, zones or regions select other pods than ' +
        'these (app=store)',
    ]);
  });

  test('Noncompliance 3: the term is on a topology that does not separate hosts', () => {
    const podSpec = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'store' }, 'rack')] } } };
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { podSpec })])).toEqual([
      'spec.template.spec.affinity.podAntiAffinity: 3 replicas and no anti-affinity or spread term on hosts, zones or regions: one node ' +
        'failure may take several',
    ]);
  });

  test('Not applicable with a single replica', () => {
    expect(judge(HOST_ANTI_AFFINITY, [statefulSet('store', { replicas: 1 })])).toEqual({ notApplicable: 'fewer than 2 replicas (1)' });
  });
});

describe('topology-spread-well-formed: each topology spread constraint counts the pods of its own workload and is valid', () => {
  const constraint = (fields: object) => ({
    maxSkew: 1,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'store' } },
    ...fields,
  });
  const spreading = (...constraints: object[]) => statefulSet('store', { podSpec: { topologySpreadConstraints: constraints } });

  test('Compliance: a hard zone constraint with minDomains', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({ minDomains: 3 }))])).toEqual([]);
  });

  test('Noncompliance 1: no labelSelector', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({ labelSelector: undefined }))])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0].labelSelector: no labelSelector: the constraint counts no pods, so it spreads nothing',
    ]);
  });

  test('Noncompliance 2: a labelSelector for other pods', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({}), constraint({ labelSelector: { matchLabels: { app: 'web' } } }))])).toEqual([
      'spec.template.spec.topologySpreadConstraints[1].labelSelector: the labelSelector does not match the pod template labels (app=store)',
    ]);
  });

  test('Noncompliance 3: maxSkew 0, no topologyKey and an unknown whenUnsatisfiable', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({ maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Never' }))])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0].maxSkew: maxSkew 0 is not a whole number of at least 1',
      'spec.template.spec.topologySpreadConstraints[0].topologyKey: no topologyKey',
      'spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable: whenUnsatisfiable "Never" is not DoNotSchedule or ScheduleAnyway',
    ]);
  });

  test('Noncompliance 4: minDomains with ScheduleAnyway', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({ minDomains: 3, whenUnsatisfiable: 'ScheduleAnyway' }))])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0].minDomains: minDomains 3 is only allowed with whenUnsatisfiable DoNotSchedule',
    ]);
  });

  test('Noncompliance 5: minDomains 0', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [spreading(constraint({ minDomains: 0 }))])).toEqual([
      'spec.template.spec.topologySpreadConstraints[0].minDomains: minDomains 0 is not a whole number of at least 1',
    ]);
  });

  test('Not applicable without constraints, as in kube-score', () => {
    expect(judge(TOPOLOGY_SPREAD_WELL_FORMED, [statefulSet('store')])).toEqual({ notApplicable: 'no topologySpreadConstraints' });
  });
});

describe('workload-has-multiple-replicas: a Deployment or StatefulSet runs at least 2 replicas', () => {
  test('Compliance: 3 replicas', () => {
    expect(judge(WORKLOAD_HAS_MULTIPLE_REPLICAS, [statefulSet('store')])).toEqual([]);
  });

  test('Noncompliance 1: one replica', () => {
    expect(judge(WORKLOAD_HAS_MULTIPLE_REPLICAS, [statefulSet('store', { replicas: 1 })])).toEqual([
      'spec.replicas: replicas is 1: one pod failure is an outage',
    ]);
  });

  test('Noncompliance 2: replicas unset', () => {
    expect(judge(WORKLOAD_HAS_MULTIPLE_REPLICAS, [deployment('api', { replicas: undefined })])).toEqual([
      'spec.replicas: replicas is unset (1): one pod failure is an outage',
    ]);
  });

  test('Not applicable to an autoscaled workload', () => {
    const objects = fixture('deployment-hpa-static-replicas');
    expect(judge(WORKLOAD_HAS_MULTIPLE_REPLICAS, objects)).toEqual({ notApplicable: 'scaled by HorizontalPodAutoscaler api (see hpa-min-replicas)' });
  });
});

describe('pod-priority-class: a long-running workload sets a priorityClassName', () => {
  test('Compliance: a priority class', () => {
    expect(judge(POD_PRIORITY_CLASS, [statefulSet('store', { podSpec: { priorityClassName: 'stability-blueprints-critical' } })])).toEqual([]);
  });

  test('Noncompliance: none', () => {
    expect(judge(POD_PRIORITY_CLASS, [statefulSet('store')])).toEqual([
      'spec.template.spec.priorityClassName: no priorityClassName: the pods get the default priority of batch jobs',
    ]);
  });
});

describe('hpa-min-replicas: a HorizontalPodAutoscaler keeps at least 2 replicas', () => {
  const autoscaler = (spec: object): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, ...spec },
  });

  test('Compliance: minReplicas 2', () => {
    expect(judge(HPA_MIN_REPLICAS, [autoscaler({ minReplicas: 2 })])).toEqual([]);
  });

  test('Noncompliance 1: minReplicas 1', () => {
    expect(judge(HPA_MIN_REPLICAS, [autoscaler({ minReplicas: 1 })])).toEqual(['spec.minReplicas: minReplicas 1: at quiet hours one pod is left']);
  });

  test('Noncompliance 2: minReplicas unset', () => {
    expect(judge(HPA_MIN_REPLICAS, [autoscaler({})])).toEqual(['spec.minReplicas: minReplicas is unset (1): at quiet hours one pod is left']);
  });
});

describe('hpa-has-target: a HorizontalPodAutoscaler scales an object of the same manifests', () => {
  test('Compliance: the Deployment is there', () => {
    expect(judge(HPA_HAS_TARGET, fixture('poddisruptionbudget-eviction-hpa-min-replicas').reverse())).toEqual([]);
  });

  test('Noncompliance: a misspelt target', () => {
    expect(judge(HPA_HAS_TARGET, fixture('horizontalpodautoscaler-target-missing'))).toEqual([
      'spec.scaleTargetRef: scaleTargetRef Deployment/apy is not among the checked objects of its namespace',
    ]);
  });
});

describe('hpa-target-has-no-replicas: a workload scaled by a HorizontalPodAutoscaler does not set replicas', () => {
  test('Compliance: replicas left to the autoscaler', () => {
    const objects = fixture('poddisruptionbudget-eviction-hpa-min-replicas');
    expect(judge(HPA_TARGET_HAS_NO_REPLICAS, objects, find(objects, 'Deployment'))).toEqual([]);
  });

  test('Noncompliance: a static replicas field', () => {
    expect(judge(HPA_TARGET_HAS_NO_REPLICAS, fixture('deployment-hpa-static-replicas'))).toEqual([
      'spec.replicas: replicas 3 is set although HorizontalPodAutoscaler api scales the workload: every apply resets it',
    ]);
  });

  test('Not applicable without an autoscaler', () => {
    expect(judge(HPA_TARGET_HAS_NO_REPLICAS, [deployment('api')])).toEqual({ notApplicable: 'not scaled by a HorizontalPodAutoscaler' });
  });
});
