import { Rule, RuleOutcome, Severity, Violation } from '../model';
import { containersOf, POD_KINDS, violation, withPodTemplate } from '../pod-helpers';

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a Kubernetes quantity (`512Mi`, `1G`, `1e9`, `250m`); undefined when it is not one. */
function quantityValue(quantity: unknown): number | undefined {
  if (typeof quantity === 'number') {
    return quantity;
  }
  const match =
    typeof quantity === 'string' ? /^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E))?$/.exec(quantity) : null;
  if (!match) {
    return undefined;
  }
  const [, number, exponent, suffix = ''] = match;
  return exponent !== undefined ? Number(`${number}${exponent}`) : Number(number) * (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix]);
}

/** A request the container sets, or the limit Kubernetes copies into it when only the limit is set. */
function effectiveRequest(container: any, resource: 'cpu' | 'memory'): unknown {
  return container?.resources?.requests?.[resource] ?? container?.resources?.limits?.[resource];
}

export const CONTAINER_RESOURCE_REQUESTS: Rule = {
  id: 'container-resource-requests',
  title: 'Every container requests CPU and memory',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'Without requests the scheduler packs pods onto nodes that cannot run them, the pod gets no guaranteed CPU share under ' +
    'contention, and under memory pressure the kubelet evicts it first: a data store then loses replicas exactly when the node is busy.',
  fix: 'Set resources.requests.cpu and resources.requests.memory on every container, init containers included.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template).flatMap(({ container, path }) =>
        (['cpu', 'memory'] as const)
          .filter((resource) => effectiveRequest(container, resource) === undefined)
          .map((resource) => violation(`${path}.resources.requests.${resource}`, `container "${container?.name}" requests no ${resource}`)),
      ),
    );
  },
};

export const CONTAINER_MEMORY_LIMIT: Rule = {
  id: 'container-memory-limit',
  title: 'Every container has a memory limit',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A container without a memory limit can take the memory of the whole node, and the kernel then OOM-kills other pods, the ' +
    'replicas of a data store among them. (CPU limits are deliberately not required: they throttle a store mid-request.)',
  fix: 'Set resources.limits.memory on every container, init containers included.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template)
        .filter(({ container }) => container?.resources?.limits?.memory === undefined)
        .map(({ container, path }) => violation(`${path}.resources.limits.memory`, `container "${container?.name}" has no memory limit`)),
    );
  },
};

export const DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST: Rule = {
  id: 'data-store-memory-limit-equals-request',
  title: 'The containers of a StatefulSet request as much memory as their limit',
  severity: Severity.WARNING,
  targets: ['StatefulSet'],
  rationale:
    'Under node memory pressure the kubelet evicts first the pods using most memory above their request; a store whose limit ' +
    'exceeds its request is such a pod as soon as it grows, and loses its replica in the middle of the pressure.',
  fix: 'Set resources.requests.memory equal to resources.limits.memory.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template)
        .filter(({ init }) => !init)
        .flatMap(({ container, path }): Violation[] => {
          const limit = container?.resources?.limits?.memory;
          const request = effectiveRequest(container, 'memory');
          return limit === undefined || quantityValue(limit) === quantityValue(request)
            ? []
            : [
                violation(
                  `${path}.resources.requests.memory`,
                  `container "${container?.name}" requests ${request} of memory but is limited to ${limit}: above its request it is evicted first`,
                ),
              ];
        }),
    );
  },
};

export const RESOURCE_RULES: readonly Rule[] = [CONTAINER_RESOURCE_REQUESTS, CONTAINER_MEMORY_LIMIT, DATA_STORE_MEMORY_LIMIT_EQUALS_REQUEST];
