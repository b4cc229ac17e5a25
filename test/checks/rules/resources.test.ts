import { KubeObject } from '../../../lib';
import { CONTAINER_MEMORY_LIMIT, CONTAINER_RESOURCE_REQUESTS, DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST } from '../../../lib/checks/rules/resources';
import { judge, statefulSet } from '../../support/checks';

function withResources(resources: object, initResources?: object): KubeObject {
  return statefulSet('store', {
    podSpec: {
      containers: [{ name: 'redis', image: 'redis:7.4.8', resources }],
      ...(initResources ? { initContainers: [{ name: 'init', image: 'busybox:1.36', resources: initResources }] } : {}),
    },
  });
}

const GUARANTEED_MEMORY = { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } };

describe('container-resource-requests: every container requests CPU and memory', () => {
  test('Compliance 1: both requests', () => {
    expect(judge(CONTAINER_RESOURCE_REQUESTS, [withResources(GUARANTEED_MEMORY)])).toEqual([]);
  });

  test('Compliance 2: a limit only, which Kubernetes copies into the request', () => {
    expect(judge(CONTAINER_RESOURCE_REQUESTS, [withResources({ limits: { cpu: '1', memory: '1Gi' } })])).toEqual([]);
  });

  test('Noncompliance 1: no resources at all', () => {
    expect(judge(CONTAINER_RESOURCE_REQUESTS, [withResources({})])).toEqual([
      'spec.template.spec.containers[0].resources.requests.cpu: container "redis" requests no cpu',
      'spec.template.spec.containers[0].resources.requests.memory: container "redis" requests no memory',
    ]);
  });

  test('Noncompliance 2: an init container without a memory request', () => {
    expect(judge(CONTAINER_RESOURCE_REQUESTS, [withResources(GUARANTEED_MEMORY, { requests: { cpu: '10m' } })])).toEqual([
      'spec.template.spec.initContainers[0].resources.requests.memory: container "init" requests no memory',
    ]);
  });
});

describe('container-memory-limit: every container has a memory limit', () => {
  test('Compliance: a memory limit and no CPU limit, which is deliberately not required', () => {
    expect(judge(CONTAINER_MEMORY_LIMIT, [withResources(GUARANTEED_MEMORY)])).toEqual([]);
  });

  test('Noncompliance 1: requests only', () => {
    expect(judge(CONTAINER_MEMORY_LIMIT, [withResources({ requests: { cpu: '250m', memory: '1Gi' } })])).toEqual([
      'spec.template.spec.containers[0].resources.limits.memory: container "redis" has no memory limit',
    ]);
  });

  test('Noncompliance 2: an init container without a limit', () => {
    expect(judge(CONTAINER_MEMORY_LIMIT, [withResources(GUARANTEED_MEMORY, { requests: { cpu: '10m', memory: '16Mi' } })])).toEqual([
      'spec.template.spec.initContainers[0].resources.limits.memory: container "init" has no memory limit',
    ]);
  });
});

describe('data-store-memory-limit-equals-request: the containers of a StatefulSet request as much memory as their limit', () => {
  test('Compliance 1: equal', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources(GUARANTEED_MEMORY)])).toEqual([]);
  });

  test('Compliance 2: equal quantities written in other units', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources({ requests: { memory: '1Gi' }, limits: { memory: '1024Mi' } })])).toEqual([]);
  });

  test('Compliance 3: a limit alone, which is also the request', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources({ limits: { memory: '2G' } })])).toEqual([]);
  });

  test('Compliance 4: no limit, which container-memory-limit reports', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources({ requests: { memory: '1Gi' } })])).toEqual([]);
  });

  test('Noncompliance 1: a limit above the request', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources({ requests: { memory: '1Gi' }, limits: { memory: '2Gi' } })])).toEqual([
      'spec.template.spec.containers[0].resources.requests.memory: container "redis" requests 1Gi of memory but is limited to 2Gi: above ' +
        'its request it is evicted first',
    ]);
  });

  test('Noncompliance 2: 1G is not 1Gi', () => {
    expect(judge(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST, [withResources({ requests: { memory: '1G' }, limits: { memory: '1Gi' } })])).toEqual([
      'spec.template.spec.containers[0].resources.requests.memory: container "redis" requests 1G of memory but is limited to 1Gi: above ' +
        'its request it is evicted first',
    ]);
  });

  test('only judges StatefulSets', () => {
    expect(DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST.targets).toEqual(['StatefulSet']);
  });
});
