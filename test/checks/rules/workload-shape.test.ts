import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib';
import {
  REQUIRED_LABELS_PRESENT,
  SELECTOR_MATCHES_TEMPLATE_LABELS,
  STATEFULSET_HEADLESS_SERVICE,
  VOLUME_CLAIM_STORAGE_CLASS,
} from '../../../lib/checks/rules/workload-shape';
import { judge, statefulSet } from '../../support/checks';

function fixture(name: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(__dirname, '../../fixtures/checks', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

const IDENTITY = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cart-cache' };

describe('statefulset-headless-service: a StatefulSet names a headless Service of the same manifests that selects its pods', () => {
  test('Compliance: a headless Service selecting the pods', () => {
    expect(judge(STATEFULSET_HEADLESS_SERVICE, fixture('statefulset-servicename-headless'))).toEqual([]);
  });

  test('Noncompliance 1: the Service has a cluster IP and selects other pods', () => {
    expect(judge(STATEFULSET_HEADLESS_SERVICE, fixture('statefulset-servicename-not-headless'))).toEqual([
      'spec.serviceName: Service store is not headless (clusterIP unset, not None)',
      'spec.serviceName: Service store does not select the pods of the StatefulSet',
    ]);
  });

  test('Noncompliance 2: the Service is not among the checked objects, as kube-score fails it', () => {
    expect(judge(STATEFULSET_HEADLESS_SERVICE, [statefulSet('store')])).toEqual([
      'spec.serviceName: serviceName "store" names no Service among the checked objects of namespace shop',
    ]);
  });

  test('Noncompliance 3: a Service of that name in another namespace does not count', () => {
    expect(judge(STATEFULSET_HEADLESS_SERVICE, fixture('statefulset-servicename-other-namespace'))).toEqual([
      'spec.serviceName: serviceName "store-headless" names no Service among the checked objects of namespace shop',
    ]);
  });

  test('Noncompliance 4: no serviceName', () => {
    expect(judge(STATEFULSET_HEADLESS_SERVICE, [statefulSet('store', { spec: { serviceName: undefined } })])).toEqual([
      'spec.serviceName: no serviceName: the pods get no stable DNS names',
    ]);
  });
});

describe('selector-matches-template-labels: the selector of a workload matches the labels of its pod template', () => {
  test('Compliance: matchLabels held by the template', () => {
    expect(judge(SELECTOR_MATCHES_TEMPLATE_LABELS, [statefulSet('store')])).toEqual([]);
  });

  test('Compliance: a matchExpressions requirement held by the template', () => {
    const selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['store', 'cache'] }] };
    expect(judge(SELECTOR_MATCHES_TEMPLATE_LABELS, [statefulSet('store', { spec: { selector } })])).toEqual([]);
  });

  test('Noncompliance 1: a selector for other labels', () => {
    expect(judge(SELECTOR_MATCHES_TEMPLATE_LABELS, [statefulSet('store', { spec: { selector: { matchLabels: { app: 'stor' } } } })])).toEqual([
      'spec.selector: the selector {"matchLabels":{"app":"stor"}} does not match the template labels {"app":"store"}',
    ]);
  });

  test('Noncompliance 2: no selector', () => {
    expect(judge(SELECTOR_MATCHES_TEMPLATE_LABELS, [statefulSet('store', { spec: { selector: undefined } })])).toEqual([
      'spec.selector: no selector',
    ]);
  });
});

describe('volume-claim-storage-class: volume claims name their StorageClass', () => {
  const withClaims = (...specs: object[]) =>
    statefulSet('store', { spec: { volumeClaimTemplates: specs.map((spec, position) => ({ metadata: { name: `data-${position}` }, spec })) } });

  test('is off by default', () => {
    expect(VOLUME_CLAIM_STORAGE_CLASS.enabledByDefault).toBe(false);
  });

  test('Compliance 1: a named class', () => {
    expect(judge(VOLUME_CLAIM_STORAGE_CLASS, [withClaims({ storageClassName: 'fast-replicated' })])).toEqual([]);
  });

  test('Compliance 2: the empty class, which binds to a pre-provisioned volume', () => {
    expect(judge(VOLUME_CLAIM_STORAGE_CLASS, [withClaims({ storageClassName: '' })])).toEqual([]);
  });

  test('Noncompliance 1: a volume claim template without a class', () => {
    expect(judge(VOLUME_CLAIM_STORAGE_CLASS, [withClaims({ storageClassName: 'fast' }, {})])).toEqual([
      'spec.volumeClaimTemplates[1].spec.storageClassName: volume claim template "data-1" sets no storageClassName: its claims get ' +
        'the cluster default class',
    ]);
  });

  test('Noncompliance 2: a PersistentVolumeClaim without a class', () => {
    const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: {} };
    expect(judge(VOLUME_CLAIM_STORAGE_CLASS, [claim])).toEqual([
      'spec.storageClassName: no storageClassName: the claim gets the cluster default class',
    ]);
  });

  test('Not applicable to a StatefulSet without volume claim templates', () => {
    expect(judge(VOLUME_CLAIM_STORAGE_CLASS, [statefulSet('store')])).toEqual({ notApplicable: 'no volumeClaimTemplates' });
  });
});

describe('required-labels: every object and pod template carries app.kubernetes.io/name and app.kubernetes.io/instance', () => {
  const configMap = (labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', labels } });

  test('Compliance 1: a labelled ConfigMap', () => {
    expect(judge(REQUIRED_LABELS_PRESENT, [configMap(IDENTITY)])).toEqual([]);
  });

  test('Compliance 2: a workload labelled on the object and on the pods', () => {
    const workload = statefulSet('store');
    const labelled = {
      ...workload,
      metadata: { ...workload.metadata, labels: IDENTITY },
      spec: { ...workload.spec, template: { ...workload.spec.template, metadata: { labels: { ...IDENTITY, app: 'store' } } } },
    };
    expect(judge(REQUIRED_LABELS_PRESENT, [labelled])).toEqual([]);
  });

  test('Noncompliance 1: a ConfigMap without the instance label', () => {
    expect(judge(REQUIRED_LABELS_PRESENT, [configMap({ 'app.kubernetes.io/name': 'redis' })])).toEqual([
      'metadata.labels: missing label app.kubernetes.io/instance',
    ]);
  });

  test('Noncompliance 2: a workload without labels, on the object and on the pods', () => {
    expect(judge(REQUIRED_LABELS_PRESENT, [statefulSet('store')])).toEqual([
      'metadata.labels: missing labels app.kubernetes.io/name, app.kubernetes.io/instance',
      'spec.template.metadata.labels: the pods miss labels app.kubernetes.io/name, app.kubernetes.io/instance',
    ]);
  });

  test('Noncompliance 3: an empty label value counts as missing', () => {
    expect(judge(REQUIRED_LABELS_PRESENT, [configMap({ ...IDENTITY, 'app.kubernetes.io/name': '' })])).toEqual([
      'metadata.labels: missing label app.kubernetes.io/name',
    ]);
  });
});
