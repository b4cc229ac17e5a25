import { readFileSync } from 'node:fs';
import { RULE_CATALOG } from '../../lib/checks/catalog';
import { renderRuleCatalog } from '../../lib/checks/catalog-doc';
import { COVERAGE } from '../../lib/checks/coverage';
import { RULES_DOC_PATH } from '../../scripts/generate-rules-doc';

describe('docs/rules.md', () => {
  test('is generated from the current rule metadata (run `npm run docs:rules` when this fails)', () => {
    expect(readFileSync(RULES_DOC_PATH, 'utf8')).toBe(renderRuleCatalog(RULE_CATALOG, COVERAGE));
  });
});
