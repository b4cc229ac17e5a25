import { KubeObject, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../model';
import { ContainerAt, containersOf, POD_KINDS, podSpecPath, violation } from '../pod-helpers';
import { podTemplateOf } from '../selectors';

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

/** The handlers that reach the container over the network, and so name a port. */
const PORT_HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

function exposesPort(container: any, port: unknown): boolean {
  const ports: any[] = Array.isArray(container?.ports) ? container.ports : [];
  return ports.some((declared) => (typeof port === 'string' ? declared?.name === port : declared?.containerPort === port));
}

function describePorts(container: any): string {
  const ports: any[] = Array.isArray(container?.ports) ? container.ports : [];
  return ports.length === 0
    ? 'none'
    : ports.map((port) => (port?.name ? `${port.name}/${port.containerPort}` : String(port?.containerPort))).join(', ');
}

/** Ports of the Services selecting the pods, as each Service forwards them (targetPort, defaulting to port). */
function servedPorts(services: readonly KubeObject[]): { service: string; port: unknown }[] {
  return services.flatMap((service) =>
    (Array.isArray(service.spec?.ports) ? service.spec.ports : []).map((port: any) => ({
      service: String(service.metadata?.name),
      port: port?.targetPort ?? port?.port,
    })),
  );
}

export const POD_READINESS_PROBE: Rule = {
  id: 'pod-readiness-probe',
  title: 'The containers serving a Service have a readiness probe',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'Without a readiness probe a container counts as ready as soon as it starts: the Service sends it traffic while it still loads ' +
    'its data or resynchronises, and a rolling update moves on to the next pod before this one can serve.',
  fix: 'Add a readinessProbe that succeeds only when the container can serve (for a replica: once it has caught up).',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    if (!template) {
      return notApplicable('no pod template');
    }
    const services = index.selecting('Service', object.metadata?.namespace, template.metadata.labels ?? {});
    if (services.length === 0) {
      return notApplicable('no Service selects the pods');
    }
    const containers = containersOf(template).filter((at) => !at.init);
    const ports = servedPorts(services);
    const serving = containers.filter((at) => ports.some(({ port }) => exposesPort(at.container, port)));
    if (serving.length === 0) {
      // No container declares a forwarded port, so which one serves is unknown: one readiness probe must gate the pod.
      return containers.some((at) => at.container?.readinessProbe)
        ? []
        : [
            violation(
              `${podSpecPath(template)}.containers`,
              `Service ${services[0].metadata?.name} selects the pods but no container has a readinessProbe`,
            ),
          ];
    }
    return serving
      .filter((at) => !at.container?.readinessProbe)
      .map((at) => {
        const served = ports.find(({ port }) => exposesPort(at.container, port));
        return violation(
          `${at.path}.readinessProbe`,
          `container "${at.container?.name}" serves port ${served?.port} of Service ${served?.service} but has no readinessProbe`,
        );
      });
  },
};

/** What a probe checks, ignoring timing, in words: equal descriptions mean the same check. Undefined without a handler. */
function probeHandler(probe: any): string | undefined {
  if (Array.isArray(probe?.exec?.command)) {
    return `exec "${probe.exec.command.join(' ')}"`;
  }
  const endpoint = (handler: any) => `on port ${handler.port}${handler.host ? ` of host ${handler.host}` : ''}`;
  if (probe?.httpGet) {
    const { path, scheme, httpHeaders } = probe.httpGet;
    const headers = Array.isArray(httpHeaders) && httpHeaders.length > 0 ? ` with headers ${JSON.stringify(httpHeaders)}` : '';
    return `${scheme === 'HTTPS' ? 'HTTPS' : 'HTTP'} GET ${path ?? '/'} ${endpoint(probe.httpGet)}${headers}`;
  }
  if (probe?.tcpSocket) {
    return `TCP connection ${endpoint(probe.tcpSocket)}`;
  }
  if (probe?.grpc) {
    return `gRPC health check ${endpoint(probe.grpc)}${probe.grpc.service ? ` for service ${probe.grpc.service}` : ''}`;
  }
  return undefined;
}

export const PROBES_NOT_IDENTICAL: Rule = {
  id: 'probes-not-identical',
  title: 'A container does not run the same check for liveness and readiness',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'Readiness answers "send me traffic?", liveness "restart me?". With one check for both, a pod that is only slow (a long load, a ' +
    'full sync, a traffic spike) is restarted instead of merely taken out of the Service, and the restarts cascade over the replicas ' +
    'that take over its load.',
  fix: 'Make liveness check only that the process is alive and responsive (e.g. a local ping), and readiness that it can serve.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const template = podTemplateOf(object);
    const containers = template ? containersOf(template).filter((at) => !at.init && at.container?.livenessProbe && at.container?.readinessProbe) : [];
    if (containers.length === 0) {
      return notApplicable('no container has both a liveness and a readiness probe');
    }
    return containers.flatMap(({ container, path }) => {
      const handler = probeHandler(container.livenessProbe);
      return handler !== undefined && handler === probeHandler(container.readinessProbe)
        ? [violation(`${path}.livenessProbe`, `container "${container.name}" uses the same check for liveness and readiness: ${handler}`)]
        : [];
    });
  },
};

interface ProbePort {
  readonly at: ContainerAt;
  readonly probe: (typeof PROBES)[number];
  readonly handler: (typeof PORT_HANDLERS)[number];
  readonly port: unknown;
}

function probePorts(at: ContainerAt): ProbePort[] {
  return PROBES.flatMap((probe) =>
    PORT_HANDLERS.filter((handler) => at.container?.[probe]?.[handler]?.port !== undefined).map((handler) => ({
      at,
      probe,
      handler,
      port: at.container[probe][handler].port,
    })),
  );
}

export const PROBE_PORT_EXPOSED: Rule = {
  id: 'probe-port-exposed',
  title: 'A probe targets a port the container declares',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A probe on a port name the container does not declare cannot be resolved and always fails: liveness then restarts the ' +
    'container forever and readiness keeps it out of its Services. A number the container does not declare usually means the probe ' +
    'and the server disagree on the port.',
  fix: 'Probe a port listed in the container ports, by its name or number, or declare the port the server listens on.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const template = podTemplateOf(object);
    const probed = template ? containersOf(template).flatMap(probePorts) : [];
    if (probed.length === 0) {
      return notApplicable('no probe targets a port');
    }
    return probed
      .filter(({ at, port }) => !exposesPort(at.container, port))
      .map(({ at, probe, handler, port }): Violation =>
        violation(
          `${at.path}.${probe}.${handler}.port`,
          `container "${at.container?.name}" ${probe} targets port ${JSON.stringify(port)}, ` +
            `which it does not declare (ports: ${describePorts(at.container)})`,
        ),
      );
  },
};

export const PROBE_RULES: readonly Rule[] = [POD_READINESS_PROBE, PROBES_NOT_IDENTICAL, PROBE_PORT_EXPOSED];
