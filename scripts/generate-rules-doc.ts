// Writes docs/rules.md from the rule metadata and the coverage data: `npm run docs:rules`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_CATALOG } from '../lib/checks/catalog';
import { renderRuleCatalog } from '../lib/checks/catalog-doc';
import { COVERAGE } from '../lib/checks/coverage';

export const RULES_DOC_PATH = join(__dirname, '..', 'docs', 'rules.md');

if (require.main === module) {
  writeFileSync(RULES_DOC_PATH, renderRuleCatalog(RULE_CATALOG, COVERAGE));
  console.log(`wrote ${RULES_DOC_PATH}: ${RULE_CATALOG.length} rules, ${COVERAGE.length} coverage rows`);
}
