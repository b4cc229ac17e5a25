import { KAFKA_RULES } from '../components/kafka/rules';
import { MONGODB_RULES } from '../components/mongodb/rules';
import { MYSQL_RULES } from '../components/mysql/rules';
import { REDIS_RULES } from '../components/redis/rules';
import { INVALID_SUPPRESSION, RULE_FAILED } from './engine';
import type { Rule } from './model';
import { AVAILABILITY_RULES } from './rules/availability';
import { DURABILITY_RULES } from './rules/durability';
import { IDENTITY_RULES } from './rules/identity';
import { MANIFEST_SET_RULES } from './rules/manifest-set';
import { MONITORING_RULES } from './rules/monitoring';
import { NETWORK_RULES } from './rules/network';
import { PROBE_RULES } from './rules/probes';
import { QUORUM_RULES } from './rules/quorum';
import { RESOURCE_RULES } from './rules/resources';
import { SCHEMA_RULES } from './rules/schema';
import { SECURITY_RULES } from './rules/security';
import { TIER_RULES } from './rules/tier';
import { WORKLOAD_SHAPE_RULES } from './rules/workload-shape';

/** The rules that answer the checks of kube-score, kube-linter, Polaris and Kyverno (see COVERAGE). */
export const GENERIC_RULES: readonly Rule[] = [
  ...SCHEMA_RULES,
  ...AVAILABILITY_RULES,
  ...WORKLOAD_SHAPE_RULES,
  ...PROBE_RULES,
  ...RESOURCE_RULES,
  ...SECURITY_RULES,
  ...NETWORK_RULES,
  ...IDENTITY_RULES,
];

/**
 * Every rule stability-blueprints knows, grouped by family. A component adds its own semantic rules as a family
 * here; the engine only sees the list.
 */
export const RULE_CATALOG: readonly Rule[] = [
  ...GENERIC_RULES,
  ...MANIFEST_SET_RULES,
  ...QUORUM_RULES,
  ...TIER_RULES,
  ...DURABILITY_RULES,
  ...REDIS_RULES,
  ...MYSQL_RULES,
  ...KAFKA_RULES,
  ...MONGODB_RULES,
  ...MONITORING_RULES,
  RULE_FAILED,
  INVALID_SUPPRESSION,
];
