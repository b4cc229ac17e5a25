import { formatObjectRef } from '../engine';
import { Rule, RuleOutcome, Severity } from '../model';
import { violation } from '../pod-helpers';
import { MANIFEST_KINDS } from './schema';

/** Rules over the manifests of a run as one set, which no single-object linter sees. */

export const OBJECT_DEFINED_ONCE: Rule = {
  id: 'object-defined-once',
  title: 'No two objects share an API group, kind, namespace and name',
  severity: Severity.ERROR,
  targets: MANIFEST_KINDS,
  rationale:
    'The API server keys an object by group, kind, namespace and name: of two manifests with the same identity, applying both keeps ' +
    "only the one applied last, so a component silently runs with another team's configuration (or loses its own).",
  fix: 'Rename one of the objects (a component id, a scenario namespace), or remove the copy.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const copies = index.sharingIdentity(object).length;
    const ref = formatObjectRef({ kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name });
    return copies > 1 ? [violation('metadata.name', `${copies} objects are ${ref} (${object.apiVersion}): applying them keeps only the last`)] : [];
  },
};

/** Not answering a row of the generic tools' matrix: none of them relates the objects of different files. */
export const MANIFEST_SET_RULES: readonly Rule[] = [OBJECT_DEFINED_ONCE];
