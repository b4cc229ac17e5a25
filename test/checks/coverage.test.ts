import { GENERIC_RULES, RULE_CATALOG } from '../../lib/checks/catalog';
import { COVERAGE } from '../../lib/checks/coverage';

describe('coverage of kube-score, kube-linter, Polaris and Kyverno', () => {
  test('has the 57 rows of the merged matrix, in order', () => {
    expect(COVERAGE.map((row) => row.row)).toEqual(Array.from({ length: 57 }, (_, position) => position + 1));
  });

  test('names only rules of the catalog', () => {
    const known = new Set(RULE_CATALOG.map((rule) => rule.id));
    const unknown = COVERAGE.flatMap((row) => row.ruleIds.filter((id) => !known.has(id)).map((id) => `row ${row.row}: ${id}`));
    expect(unknown).toEqual([]);
  });

  test('says why each rejected row is rejected and how each adapted row is adapted', () => {
    const unexplained = COVERAGE.filter((row) => row.decision !== 'adopted' && row.note.trim().length < 20).map((row) => row.row);
    expect(unexplained).toEqual([]);
  });

  test('answers each adopted or adapted row with at least one rule', () => {
    expect(COVERAGE.filter((row) => row.decision !== 'rejected' && row.ruleIds.length === 0).map((row) => row.row)).toEqual([]);
  });

  test('rejects CPU limits and imagePullPolicy Always with their reasons', () => {
    expect(COVERAGE[29].note).toMatch(/CPU limits rejected: CFS throttling/);
    expect(COVERAGE[54]).toMatchObject({
      decision: 'rejected',
      note: expect.stringMatching(/IfNotPresent keep a node able to restart pods while the registry is down/),
    });
  });

  test('traces every generic rule back to a row', () => {
    const covered = new Set(COVERAGE.flatMap((row) => row.ruleIds));
    expect(GENERIC_RULES.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
