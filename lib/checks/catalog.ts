import { REDIS_RULES } from '../components/redis/rules';
import { INVALID_SUPPRESSION, RULE_FAILED } from './engine';
import type { Rule } from './model';
import { DURABILITY_RULES } from './rules/durability';
import { QUORUM_RULES } from './rules/quorum';
import { TIER_RULES } from './rules/tier';

/**
 * Every rule stability-blueprints knows, grouped by family. A component adds its own semantic rules as a family
 * here; the engine only sees the list.
 */
export const RULE_CATALOG: readonly Rule[] = [...QUORUM_RULES, ...TIER_RULES, ...DURABILITY_RULES, ...REDIS_RULES, RULE_FAILED, INVALID_SUPPRESSION];
