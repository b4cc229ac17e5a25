import { RULE_CATALOG } from '../../lib/checks/catalog';

describe('the rule catalog', () => {
  test('locks every rule id with its severity, whether it is on by default, and whether it can be suppressed', () => {
    // A change here changes what CI fails on for every team: it needs a changelog entry.
    expect(RULE_CATALOG.map((rule) => [rule.id, rule.severity, rule.enabledByDefault, !rule.unsuppressible])).toEqual([
      ['schema-valid', 'error', true, true],
      ['statefulset-has-pdb', 'error', true, true],
      ['deployment-has-pdb', 'warning', true, true],
      ['pdb-has-policy', 'error', true, true],
      ['pdb-allows-eviction', 'error', true, true],
      ['pdb-unhealthy-pod-eviction-policy', 'warning', true, true],
      ['host-anti-affinity', 'warning', true, true],
      ['topology-spread-well-formed', 'error', true, true],
      ['workload-has-multiple-replicas', 'warning', true, true],
      ['pod-priority-class', 'warning', true, true],
      ['hpa-min-replicas', 'warning', true, true],
      ['hpa-has-target', 'warning', true, true],
      ['hpa-target-has-no-replicas', 'warning', true, true],
      ['statefulset-headless-service', 'error', true, true],
      ['selector-matches-template-labels', 'error', true, true],
      ['volume-claim-storage-class', 'warning', false, true],
      ['required-labels', 'warning', true, true],
      ['pod-readiness-probe', 'error', true, true],
      ['probes-not-identical', 'error', true, true],
      ['probe-port-exposed', 'error', true, true],
      ['container-resource-requests', 'error', true, true],
      ['container-memory-limit', 'error', true, true],
      ['data-store-memory-limit-equals-request', 'warning', true, true],
      ['container-non-root', 'error', true, true],
      ['container-high-user-id', 'warning', true, true],
      ['container-not-privileged', 'error', true, false],
      ['container-read-only-root-filesystem', 'warning', true, true],
      ['container-no-privilege-escalation', 'error', true, true],
      ['container-drops-all-capabilities', 'warning', true, true],
      ['container-no-dangerous-capabilities', 'error', true, true],
      ['pod-seccomp-profile', 'warning', true, true],
      ['pod-no-host-namespaces', 'error', true, false],
      ['pod-no-host-path', 'error', true, false],
      ['container-no-host-port', 'warning', true, true],
      ['pod-no-unsafe-sysctls-or-proc-mount', 'warning', true, true],
      ['pod-restricted-volume-types', 'warning', true, true],
      ['pod-network-policy', 'warning', true, true],
      ['network-policy-selects-pods', 'warning', true, true],
      ['service-selects-pods', 'warning', true, true],
      ['service-type-not-node-port', 'warning', true, true],
      ['service-target-port-exists', 'error', true, true],
      ['automount-service-account-token-disabled', 'warning', true, true],
      ['no-deprecated-service-account-field', 'warning', true, true],
      ['container-no-literal-secret-env', 'error', true, true],
      ['image-tag-pinned', 'error', true, true],
      ['container-no-duplicate-env', 'error', true, true],
      ['no-deprecated-api-version', 'error', true, true],
      ['secret-has-no-literal-data', 'error', true, true],
      ['object-defined-once', 'error', true, true],
      ['quorum-is-majority', 'error', true, true],
      ['pdb-preserves-quorum', 'error', true, true],
      ['critical-zone-spread', 'error', true, true],
      ['system-of-record-retained-volumes', 'error', true, true],
      ['redis-min-replicas-to-write', 'error', true, true],
      ['redis-maxmemory-headroom', 'error', true, true],
      ['sentinel-quorum-majority', 'error', true, true],
      ['mysql-even-members', 'error', true, true],
      ['mysql-durability-below-data-class', 'error', true, true],
      ['mysql-bootstrap-flag-persisted', 'error', true, true],
      ['mysql-writer-service-balances-members', 'error', true, true],
      ['kafka-durability-below-data-class', 'error', true, true],
      ['kafka-even-controller-quorum', 'error', true, true],
      ['kafka-default-cluster-id', 'error', true, true],
      ['kafka-combined-mode-critical', 'warning', true, true],
      ['kafka-advertised-pod-ip', 'error', true, true],
      ['mongodb-even-voting-members', 'error', true, true],
      ['mongodb-arbiter-in-system-of-record', 'error', true, true],
      ['mongodb-arbiter-without-reason', 'warning', true, true],
      ['mongodb-write-concern-below-majority', 'error', true, true],
      ['mongodb-critical-data-members', 'error', true, true],
      ['mongodb-auth-disabled', 'error', true, true],
      ['mongodb-member-ip-address', 'error', true, true],
      ['mongodb-headless-publish-not-ready', 'error', true, true],
      ['monitoring-has-release-label', 'warning', true, true],
      ['rule-failed', 'error', true, false],
      ['invalid-suppression', 'error', true, false],
    ]);
  });

  test('ids are unique and kebab-case; every rule says what, why and how to fix', () => {
    expect(new Set(RULE_CATALOG.map((rule) => rule.id)).size).toBe(RULE_CATALOG.length);
    for (const rule of RULE_CATALOG) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });
});
