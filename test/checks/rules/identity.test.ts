import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib';
import {
  AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED,
  CONTAINER_NO_DUPLICATE_ENV,
  CONTAINER_NO_LITERAL_SECRET_ENV,
  IMAGE_TAG_PINNED,
  NO_DEPRECATED_API_VERSION,
  NO_DEPRECATED_SERVICE_ACCOUNT_FIELD,
  SECRET_HAS_NO_LITERAL_DATA,
} from '../../../lib/checks/rules/identity';
import { judge, statefulSet } from '../../support/checks';

function fixture(name: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(__dirname, '../../fixtures/checks', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

function withContainer(container: object): KubeObject {
  return statefulSet('store', { podSpec: { containers: [{ name: 'redis', image: 'redis:7.4.8', ...container }] } });
}

const CONTAINER = 'spec.template.spec.containers[0]';

describe('automount-service-account-token-disabled: pods get an API token only when they declare they need one', () => {
  const serviceAccount = (name: string, automount?: boolean): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: 'shop' },
    automountServiceAccountToken: automount,
  });

  test('Compliance 1: disabled on the pod', () => {
    expect(judge(AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED, [statefulSet('store', { podSpec: { automountServiceAccountToken: false } })])).toEqual([]);
  });

  test('Compliance 2: enabled on the pod, a declared need', () => {
    expect(judge(AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED, [statefulSet('operator', { podSpec: { automountServiceAccountToken: true } })])).toEqual(
      [],
    );
  });

  test('Compliance 3: disabled on the ServiceAccount the pod uses', () => {
    const store = statefulSet('store', { podSpec: { serviceAccountName: 'store' } });
    expect(judge(AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED, [store, serviceAccount('store', false)])).toEqual([]);
  });

  test('Noncompliance 1: unset, with the default ServiceAccount', () => {
    expect(judge(AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED, [statefulSet('store')])).toEqual([
      'spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is unset and ServiceAccount default does not disable it: ' +
        'every container gets an API token',
    ]);
  });

  test('Noncompliance 2: unset, with a ServiceAccount that does not disable it', () => {
    const store = statefulSet('store', { podSpec: { serviceAccountName: 'store' } });
    expect(judge(AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED, [store, serviceAccount('store')])).toEqual([
      'spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is unset and ServiceAccount store does not disable it: ' +
        'every container gets an API token',
    ]);
  });
});

describe('no-deprecated-service-account-field: pods name their ServiceAccount with serviceAccountName', () => {
  test('Compliance: serviceAccountName', () => {
    expect(judge(NO_DEPRECATED_SERVICE_ACCOUNT_FIELD, [statefulSet('store', { podSpec: { serviceAccountName: 'store' } })])).toEqual([]);
  });

  test('Noncompliance: serviceAccount', () => {
    expect(judge(NO_DEPRECATED_SERVICE_ACCOUNT_FIELD, [statefulSet('store', { podSpec: { serviceAccount: 'store' } })])).toEqual([
      'spec.template.spec.serviceAccount: the deprecated serviceAccount field names store',
    ]);
  });
});

describe('container-no-literal-secret-env: no container has a secret as a literal environment value', () => {
  test('Compliance: secrets by reference, files by path, ordinary values', () => {
    const env = [
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'store-auth', key: 'password' } } },
      { name: 'REDIS_PASSWORD_FILE', value: '/run/secrets/password' },
      { name: 'TOKEN_URL', value: 'https://auth.example.com/token' },
      { name: 'AUTH_TOKEN', value: '$(REDIS_PASSWORD)' },
      { name: 'API_KEY_PREFIX', value: 'cart:' },
      { name: 'SENTINEL_PORT', value: '26379' },
      { name: 'EMPTY_SECRET', value: '' },
    ];
    expect(judge(CONTAINER_NO_LITERAL_SECRET_ENV, [withContainer({ env })])).toEqual([]);
  });

  test('Noncompliance: a password, a client secret and an API key written out', () => {
    const env = [
      { name: 'REDIS_PASSWORD', value: 'hunter2' },
      { name: 'oauth_clientSecret', value: 'abc' },
      { name: 'STRIPE_API_KEY', value: 'sk_live_x' },
    ];
    expect(judge(CONTAINER_NO_LITERAL_SECRET_ENV, [withContainer({ env })])).toEqual([
      `${CONTAINER}.env[0].value: container "redis" sets REDIS_PASSWORD to a literal value`,
      `${CONTAINER}.env[1].value: container "redis" sets oauth_clientSecret to a literal value`,
      `${CONTAINER}.env[2].value: container "redis" sets STRIPE_API_KEY to a literal value`,
    ]);
  });
});

describe('image-tag-pinned: every container image has a fixed tag or a digest', () => {
  test('Compliance 1: a version tag on a registry with a port', () => {
    expect(judge(IMAGE_TAG_PINNED, [withContainer({ image: 'registry.example.com:5000/shop/cart:1.4.2' })])).toEqual([]);
  });

  test('Compliance 2: a digest', () => {
    expect(judge(IMAGE_TAG_PINNED, [withContainer({ image: `redis@sha256:${'a'.repeat(64)}` })])).toEqual([]);
  });

  test('Noncompliance 1: no tag', () => {
    expect(judge(IMAGE_TAG_PINNED, [withContainer({ image: 'registry.example.com:5000/redis' })])).toEqual([
      `${CONTAINER}.image: container "redis" image registry.example.com:5000/redis has no tag, so it runs whatever latest is when a node pulls`,
    ]);
  });

  test('Noncompliance 2: latest', () => {
    expect(judge(IMAGE_TAG_PINNED, [withContainer({ image: 'redis:latest' })])).toEqual([
      `${CONTAINER}.image: container "redis" image redis:latest uses the moving tag latest`,
    ]);
  });

  test('Noncompliance 3: no image', () => {
    expect(judge(IMAGE_TAG_PINNED, [withContainer({ image: undefined })])).toEqual([`${CONTAINER}.image: container "redis" names no image`]);
  });
});

describe('container-no-duplicate-env: no container sets the same environment variable twice', () => {
  test('Compliance: distinct names', () => {
    const env = [
      { name: 'REDIS_PORT', value: '6379' },
      { name: 'SENTINEL_PORT', value: '26379' },
    ];
    expect(judge(CONTAINER_NO_DUPLICATE_ENV, [withContainer({ env })])).toEqual([]);
  });

  test('Noncompliance: REDIS_PORT twice', () => {
    const env = [
      { name: 'REDIS_PORT', value: '6379' },
      { name: 'SENTINEL_PORT', value: '26379' },
      { name: 'REDIS_PORT', value: '6380' },
    ];
    expect(judge(CONTAINER_NO_DUPLICATE_ENV, [withContainer({ env })])).toEqual([
      `${CONTAINER}.env[2].name: container "redis" sets REDIS_PORT again (first at env[0])`,
    ]);
  });
});

describe('no-deprecated-api-version: no object uses an API version that Kubernetes has removed', () => {
  const budget = (apiVersion: string): KubeObject => ({
    apiVersion,
    kind: 'PodDisruptionBudget',
    metadata: { name: 'store' },
    spec: { maxUnavailable: 1 },
  });

  test('Compliance: policy/v1', () => {
    expect(judge(NO_DEPRECATED_API_VERSION, [budget('policy/v1')])).toEqual([]);
  });

  test('Noncompliance 1: policy/v1beta1 PodDisruptionBudget', () => {
    expect(judge(NO_DEPRECATED_API_VERSION, [budget('policy/v1beta1')])).toEqual([
      'apiVersion: policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25: use policy/v1',
    ]);
  });

  test('Noncompliance 2: extensions/v1beta1 Deployment', () => {
    expect(judge(NO_DEPRECATED_API_VERSION, [{ ...statefulSet('store'), apiVersion: 'extensions/v1beta1', kind: 'Deployment' }])).toEqual([
      'apiVersion: extensions/v1beta1 Deployment was removed in Kubernetes 1.16: use apps/v1',
    ]);
  });
});

describe('secret-has-no-literal-data: no Secret carries its values in the manifests', () => {
  test('Compliance: a Secret a controller fills in the cluster', () => {
    expect(judge(SECRET_HAS_NO_LITERAL_DATA, fixture('secret-no-data'))).toEqual([]);
  });

  test('Noncompliance: data and stringData, reported by key, never by value', () => {
    expect(judge(SECRET_HAS_NO_LITERAL_DATA, fixture('secret-literal-data'))).toEqual([
      'data: the Secret carries literal values in data (keys: password)',
      'stringData: the Secret carries literal values in stringData (keys: tls.key)',
    ]);
  });
});
