import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib';
import { POD_READINESS_PROBE, PROBE_PORT_EXPOSED, PROBES_NOT_IDENTICAL } from '../../../lib/checks/rules/probes';
import { judge, statefulSet } from '../../support/checks';

function fixture(name: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(__dirname, '../../fixtures/checks', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

/** A StatefulSet of one container with the given fields. */
function withContainer(container: object): KubeObject {
  return statefulSet('store', { podSpec: { containers: [{ name: 'redis', image: 'redis:7.4.8', ...container }] } });
}

const REDIS_PORT = { ports: [{ name: 'redis', containerPort: 6379 }] };

function service(selector: Record<string, string>, ports: object[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'store', namespace: 'shop' }, spec: { selector, ports } };
}

describe('pod-readiness-probe: the containers serving a Service have a readiness probe', () => {
  test('Compliance 1: the serving container has one and the sidecar needs none', () => {
    expect(judge(POD_READINESS_PROBE, fixture('statefulset-probes-serving-container-ready'))).toEqual([]);
  });

  test('Compliance 2: no container declares the port, and one has a readiness probe', () => {
    const store = withContainer({ readinessProbe: { tcpSocket: { port: 6379 } } });
    expect(judge(POD_READINESS_PROBE, [store, service({ app: 'store' }, [{ port: 6379 }])])).toEqual([]);
  });

  test('Noncompliance 1: the container serving the named port has none', () => {
    expect(judge(POD_READINESS_PROBE, fixture('statefulset-probes-serving-container-without-readiness'))).toEqual([
      'spec.template.spec.containers[0].readinessProbe: container "redis" serves port redis of Service store but has no readinessProbe',
    ]);
  });

  test('Noncompliance 2: no container declares the port, and none has a readiness probe', () => {
    expect(judge(POD_READINESS_PROBE, [withContainer({}), service({ app: 'store' }, [{ port: 6379 }])])).toEqual([
      'spec.template.spec.containers: Service store selects the pods but no container has a readinessProbe',
    ]);
  });

  test('Not applicable when no Service selects the pods, as in kube-score', () => {
    expect(judge(POD_READINESS_PROBE, [withContainer(REDIS_PORT), service({ app: 'other' }, [{ port: 6379 }])])).toEqual({
      notApplicable: 'no Service selects the pods',
    });
  });
});

describe('probes-not-identical: a container does not run the same check for liveness and readiness', () => {
  test('Compliance 1: the same script with another argument', () => {
    const store = withContainer({
      livenessProbe: { exec: { command: ['sh', '/scripts/probe.sh', 'liveness'] } },
      readinessProbe: { exec: { command: ['sh', '/scripts/probe.sh', 'readiness'] } },
    });
    expect(judge(PROBES_NOT_IDENTICAL, [store])).toEqual([]);
  });

  test('Compliance 2: the same port over other paths', () => {
    const store = withContainer({
      livenessProbe: { httpGet: { path: '/live', port: 8080 } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    });
    expect(judge(PROBES_NOT_IDENTICAL, [store])).toEqual([]);
  });

  test('Noncompliance 1: the same command, other timings', () => {
    const store = withContainer({
      livenessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10 },
      readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5 },
    });
    expect(judge(PROBES_NOT_IDENTICAL, [store])).toEqual([
      'spec.template.spec.containers[0].livenessProbe: container "redis" uses the same check for liveness and readiness: exec "redis-cli ping"',
    ]);
  });

  test('Noncompliance 2: the same HTTP path, the scheme spelled out on one side only', () => {
    const store = withContainer({
      livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    });
    expect(judge(PROBES_NOT_IDENTICAL, [store])).toEqual([
      'spec.template.spec.containers[0].livenessProbe: container "redis" uses the same check for liveness and readiness: ' +
        'HTTP GET /healthz on port http',
    ]);
  });

  test('Noncompliance 3: the same TCP port', () => {
    const store = withContainer({ livenessProbe: { tcpSocket: { port: 6379 } }, readinessProbe: { tcpSocket: { port: 6379 } } });
    expect(judge(PROBES_NOT_IDENTICAL, [store])).toEqual([
      'spec.template.spec.containers[0].livenessProbe: container "redis" uses the same check for liveness and readiness: TCP connection on port 6379',
    ]);
  });

  test('Not applicable without both probes', () => {
    expect(judge(PROBES_NOT_IDENTICAL, [withContainer({ readinessProbe: { tcpSocket: { port: 6379 } } })])).toEqual({
      notApplicable: 'no container has both a liveness and a readiness probe',
    });
  });
});

describe('probe-port-exposed: a probe targets a port the container declares', () => {
  test('Compliance 1: a named port', () => {
    expect(judge(PROBE_PORT_EXPOSED, [withContainer({ ...REDIS_PORT, livenessProbe: { tcpSocket: { port: 'redis' } } })])).toEqual([]);
  });

  test('Compliance 2: a port number', () => {
    expect(judge(PROBE_PORT_EXPOSED, [withContainer({ ...REDIS_PORT, startupProbe: { tcpSocket: { port: 6379 } } })])).toEqual([]);
  });

  test('Noncompliance 1: a port name the container does not declare', () => {
    expect(judge(PROBE_PORT_EXPOSED, [withContainer({ ...REDIS_PORT, readinessProbe: { httpGet: { path: '/ready', port: 'metrics' } } })])).toEqual([
      'spec.template.spec.containers[0].readinessProbe.httpGet.port: container "redis" readinessProbe targets port "metrics", which it does not ' +
        'declare (ports: redis/6379)',
    ]);
  });

  test('Noncompliance 2: a port number the container does not declare', () => {
    expect(judge(PROBE_PORT_EXPOSED, [withContainer({ livenessProbe: { grpc: { port: 9000 } } })])).toEqual([
      'spec.template.spec.containers[0].livenessProbe.grpc.port: container "redis" livenessProbe targets port 9000, which it does not declare ' +
        '(ports: none)',
    ]);
  });

  test('Not applicable to command probes', () => {
    expect(judge(PROBE_PORT_EXPOSED, [withContainer({ livenessProbe: { exec: { command: ['redis-cli', 'ping'] } } })])).toEqual({
      notApplicable: 'no probe targets a port',
    });
  });
});
