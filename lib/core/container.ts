import type { k8s } from 'cdk8s-plus-28';

export interface ProbeTimings {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export function execProbe(command: string[], timings: ProbeTimings): k8s.Probe {
  return { exec: { command }, ...timings };
}

/** Plain environment variables, in a stable order. */
export function plainEnv(values: Record<string, string | number>): k8s.EnvVar[] {
  return Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));
}

/** The pod's own name and namespace, which scripts need to compute stable DNS names. */
export function podIdentityEnv(): k8s.EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
}

/**
 * A variable read from a Secret the team manages, so the value never appears in a manifest. With `optional`, a
 * missing key leaves the variable unset instead of keeping the pod from starting.
 */
export function secretEnv(name: string, secretName: string, key: string, options: { readonly optional?: boolean } = {}): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key, optional: options.optional ?? false } } };
}
