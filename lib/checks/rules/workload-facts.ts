import type { KubeObject } from '../model';

/** `spec.replicas` of a workload, with the API default of 1. */
export function replicasOf(object: KubeObject): number {
  const replicas = object.spec?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** An int-or-percent value scaled to `total`, rounded up as the eviction API does; undefined when malformed. */
export function scaledIntOrPercent(value: unknown, total: number): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value;
  }
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.ceil((Number(percent[1]) * total) / 100) : undefined;
}

/** How many of `replicas` pods a PodDisruptionBudget lets go at once; undefined when it sets no valid policy. */
export function allowedDisruptions(budget: KubeObject, replicas: number): number | undefined {
  const maxUnavailable = budget.spec?.maxUnavailable;
  if (maxUnavailable !== undefined) {
    return scaledIntOrPercent(maxUnavailable, replicas);
  }
  const minAvailable = scaledIntOrPercent(budget.spec?.minAvailable, replicas);
  return minAvailable === undefined ? undefined : Math.max(0, replicas - minAvailable);
}
