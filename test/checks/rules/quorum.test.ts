import { PDB_PRESERVES_QUORUM, QUORUM_IS_MAJORITY } from '../../../lib/checks/rules/quorum';
import { disruptionBudget, judge, statefulSet } from '../../support/checks';

const voting = (quorum: string, replicas = 3) =>
  statefulSet('sentinels', { replicas, annotations: { 'stability-blueprints.io/quorum': quorum, 'stability-blueprints.io/consensus': 'majority' } });

describe('quorum-is-majority: a voting set is odd-sized and its quorum is a majority that tolerates one loss', () => {
  test('Compliance: 3 voters with a quorum of 2', () => {
    expect(judge(QUORUM_IS_MAJORITY, [voting('2')])).toEqual([]);
  });

  test('Compliance: a non-voting set only needs a quorum within its size', () => {
    expect(judge(QUORUM_IS_MAJORITY, [statefulSet('redis', { replicas: 2, annotations: { 'stability-blueprints.io/quorum': '1' } })])).toEqual([]);
  });

  test('Compliance: a set of one pod outside a vote (an arbiter) may keep none up', () => {
    expect(judge(QUORUM_IS_MAJORITY, [statefulSet('arbiter', { replicas: 1, annotations: { 'stability-blueprints.io/quorum': '0' } })])).toEqual([]);
  });

  test('Noncompliance 0: a quorum of 0 on a set of more than one pod', () => {
    expect(judge(QUORUM_IS_MAJORITY, [statefulSet('redis', { replicas: 2, annotations: { 'stability-blueprints.io/quorum': '0' } })])).toEqual([
      'metadata.annotations["stability-blueprints.io/quorum"]: quorum "0" is not a whole number from 1 to the 2 replicas',
    ]);
  });

  test('Noncompliance 1: an even number of voters', () => {
    expect(judge(QUORUM_IS_MAJORITY, [voting('3', 4)])).toEqual(['spec.replicas: 4 voting replicas: run an odd number of at least 3']);
  });

  test('Noncompliance 2: a quorum below a majority', () => {
    expect(judge(QUORUM_IS_MAJORITY, [voting('2', 5)])).toEqual([
      'metadata.annotations["stability-blueprints.io/quorum"]: quorum 2 of 5 voters: allowed from 3 (a majority) to 4',
    ]);
  });

  test('Noncompliance 3: a quorum of every voter', () => {
    expect(judge(QUORUM_IS_MAJORITY, [voting('3')])).toEqual([
      'metadata.annotations["stability-blueprints.io/quorum"]: quorum 3 of 3 voters: allowed from 2 (a majority) to 2',
    ]);
  });

  test('Noncompliance 4: a quorum that is not a number', () => {
    expect(judge(QUORUM_IS_MAJORITY, [voting('two')])).toEqual([
      'metadata.annotations["stability-blueprints.io/quorum"]: quorum "two" is not a whole number from 1 to the 3 replicas',
    ]);
  });

  test('Not applicable without a quorum annotation', () => {
    expect(judge(QUORUM_IS_MAJORITY, [statefulSet('web')])).toEqual({ notApplicable: 'no stability-blueprints.io/quorum annotation' });
  });
});

describe('pdb-preserves-quorum: the PodDisruptionBudget of a quorum-based set never lets it drop below quorum', () => {
  test('Compliance: maxUnavailable = replicas - quorum', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2'), disruptionBudget('sentinels', { app: 'sentinels' }, { maxUnavailable: 1 })])).toEqual([]);
  });

  test('Compliance: minAvailable = quorum', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('3', 5), disruptionBudget('sentinels', { app: 'sentinels' }, { minAvailable: 3 })])).toEqual([]);
  });

  test('Noncompliance 1: no PDB', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2')])).toEqual([
      ': no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)',
    ]);
  });

  test('Noncompliance 2: a PDB that lets the set drop below quorum', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2'), disruptionBudget('loose', { app: 'sentinels' }, { maxUnavailable: '50%' })])).toEqual([
      ': PodDisruptionBudget loose allows 2 of 3 pods down, leaving fewer than the quorum of 2',
    ]);
  });

  test('Noncompliance 3: a PDB that blocks every drain', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2'), disruptionBudget('tight', { app: 'sentinels' }, { minAvailable: '100%' })])).toEqual([
      ': PodDisruptionBudget tight allows no eviction, which blocks every node drain',
    ]);
  });

  test('Noncompliance 4: a PDB without a policy', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2'), disruptionBudget('empty', { app: 'sentinels' }, {})])).toEqual([
      ': PodDisruptionBudget empty sets neither a valid maxUnavailable nor minAvailable',
    ]);
  });

  test('a PDB in another namespace does not count', () => {
    const budget = {
      ...disruptionBudget('sentinels', { app: 'sentinels' }, { maxUnavailable: 1 }),
      metadata: { name: 'sentinels', namespace: 'other' },
    };
    expect(judge(PDB_PRESERVES_QUORUM, [voting('2'), budget])).toEqual([
      ': no PodDisruptionBudget selects the pods, so a drain may evict all 3 at once (quorum 2)',
    ]);
  });

  test('Not applicable without a quorum annotation', () => {
    expect(judge(PDB_PRESERVES_QUORUM, [statefulSet('web')])).toEqual({
      notApplicable: 'no valid stability-blueprints.io/quorum annotation on a workload',
    });
  });
});
