import { notApplicable, Rule, RuleOutcome, Severity, Violation } from '../model';
import { violation } from '../pod-helpers';
import { isRecord, podSelectorOf, podTemplateOf, selectorMatches } from '../selectors';
import { MANIFEST_KINDS } from './schema';

/** Labels every object carries, so that dashboards, alerts and `kubectl -l` find all of one component instance. */
const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance'];

export const STATEFULSET_HEADLESS_SERVICE: Rule = {
  id: 'statefulset-headless-service',
  title: 'A StatefulSet names a headless Service of the same manifests that selects its pods',
  severity: Severity.ERROR,
  targets: ['StatefulSet'],
  rationale:
    'The stable per-pod DNS names (pod-0.service) through which replicas find each other exist only when serviceName names a ' +
    'headless Service (clusterIP None) selecting the pods. kube-score fails a Service it cannot see, and so does this rule: a ' +
    'blueprint always emits the Service with its StatefulSet, so a missing one is a broken manifest, not a partial view of it.',
  fix: 'Set spec.serviceName to a Service in the same namespace with clusterIP: None and a selector matching the pod template labels.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const name = object.spec?.serviceName;
    if (typeof name !== 'string' || name === '') {
      return [violation('spec.serviceName', 'no serviceName: the pods get no stable DNS names')];
    }
    const namespace = object.metadata?.namespace;
    const service = index.find('Service', namespace, name);
    if (!service) {
      return [
        violation('spec.serviceName', `serviceName "${name}" names no Service among the checked objects of namespace ${namespace ?? '(none)'}`),
      ];
    }
    const found: Violation[] = [];
    if (service.spec?.clusterIP !== 'None') {
      found.push(violation('spec.serviceName', `Service ${name} is not headless (clusterIP ${service.spec?.clusterIP ?? 'unset'}, not None)`));
    }
    if (!selectorMatches(podSelectorOf(service), podTemplateOf(object)?.metadata.labels ?? {})) {
      found.push(violation('spec.serviceName', `Service ${name} does not select the pods of the StatefulSet`));
    }
    return found;
  },
};

export const SELECTOR_MATCHES_TEMPLATE_LABELS: Rule = {
  id: 'selector-matches-template-labels',
  title: 'The selector of a workload matches the labels of its pod template',
  severity: Severity.ERROR,
  targets: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  rationale:
    'A controller whose selector does not match its own pods is rejected by the API server, or, with a selector left broader than ' +
    'intended, adopts and deletes the pods of another workload.',
  fix: 'Make every spec.selector.matchLabels pair (and matchExpressions requirement) hold for spec.template.metadata.labels.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const selector = object.spec?.selector;
    const labels = podTemplateOf(object)?.metadata.labels ?? {};
    if (!isRecord(selector)) {
      return [violation('spec.selector', 'no selector')];
    }
    return selectorMatches(selector, labels)
      ? []
      : [violation('spec.selector', `the selector ${JSON.stringify(selector)} does not match the template labels ${JSON.stringify(labels)}`)];
  },
};

export const VOLUME_CLAIM_STORAGE_CLASS: Rule = {
  id: 'volume-claim-storage-class',
  title: 'Volume claims name their StorageClass',
  severity: Severity.WARNING,
  targets: ['StatefulSet', 'PersistentVolumeClaim'],
  rationale:
    'A claim without storageClassName gets the cluster default class, whose reclaim policy, replication and zone binding the ' +
    'manifests do not show. Off by default: a blueprint cannot know the class names of every cluster, and the default class is ' +
    'often the right one; enable it where several classes with different guarantees coexist.',
  fix: 'Set storageClassName on the claim or volume claim template ("" binds to a pre-provisioned volume without a class).',
  enabledByDefault: false,
  check(object): RuleOutcome {
    if (object.kind === 'PersistentVolumeClaim') {
      return typeof object.spec?.storageClassName === 'string'
        ? []
        : [violation('spec.storageClassName', 'no storageClassName: the claim gets the cluster default class')];
    }
    const templates = object.spec?.volumeClaimTemplates;
    if (!Array.isArray(templates) || templates.length === 0) {
      return notApplicable('no volumeClaimTemplates');
    }
    return templates.flatMap((claim: any, position: number) =>
      typeof claim?.spec?.storageClassName === 'string'
        ? []
        : [
            violation(
              `spec.volumeClaimTemplates[${position}].spec.storageClassName`,
              `volume claim template "${claim?.metadata?.name}" sets no storageClassName: its claims get the cluster default class`,
            ),
          ],
    );
  },
};

function missingLabels(labels: unknown): string[] {
  const present = isRecord(labels) ? labels : {};
  return REQUIRED_LABELS.filter((key) => typeof present[key] !== 'string' || present[key] === '');
}

export const REQUIRED_LABELS_PRESENT: Rule = {
  id: 'required-labels',
  title: `Every object and pod template carries the labels ${REQUIRED_LABELS.join(' and ')}`,
  severity: Severity.WARNING,
  targets: MANIFEST_KINDS,
  rationale:
    'Dashboards, alerts, log queries and `kubectl -l` find the objects of one component instance through these labels; an ' +
    'unlabelled object is invisible to them and is missed in an incident.',
  fix: `Add ${REQUIRED_LABELS.join(' and ')} to metadata.labels, and to the pod template labels of a workload.`,
  enabledByDefault: true,
  check(object): RuleOutcome {
    const found: Violation[] = [];
    const missing = missingLabels(object.metadata?.labels);
    if (missing.length > 0) {
      found.push(violation('metadata.labels', `missing label${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`));
    }
    const template = podTemplateOf(object);
    if (template && template.path !== '') {
      const missingOnPods = missingLabels(template.metadata.labels);
      if (missingOnPods.length > 0) {
        found.push(
          violation(`${template.path}.metadata.labels`, `the pods miss label${missingOnPods.length === 1 ? '' : 's'} ${missingOnPods.join(', ')}`),
        );
      }
    }
    return found;
  },
};

export const WORKLOAD_SHAPE_RULES: readonly Rule[] = [
  STATEFULSET_HEADLESS_SERVICE,
  SELECTOR_MATCHES_TEMPLATE_LABELS,
  VOLUME_CLAIM_STORAGE_CLASS,
  REQUIRED_LABELS_PRESENT,
];
