import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/**
 * Requests for a data store: CPU and memory requested; memory limited to the request so the pod
 * is never the first OOM victim of an overcommitted node; no CPU limit, because CFS throttling of a
 * single-threaded store stalls replication and health checks.
 */
export function dataStoreResources(cpuMillis: number, memory: Size): k8s.ResourceRequirements {
  const memoryQuantity = k8s.Quantity.fromString(`${memory.toMebibytes()}Mi`);
  return {
    requests: { cpu: k8s.Quantity.fromString(`${cpuMillis}m`), memory: memoryQuantity },
    limits: { memory: memoryQuantity },
  };
}
