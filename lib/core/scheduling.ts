import type { k8s } from 'cdk8s-plus-28';
import { ZoneSpread } from './tier';

export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
export const HOST_TOPOLOGY_KEY = 'kubernetes.io/hostname';

export interface SchedulingPlan {
  readonly zoneSpread: ZoneSpread;
  /** Zones the pods must be spread over before two share one; only used with `ZoneSpread.HARD`. */
  readonly minDomains: number;
  readonly requiredHostAntiAffinity: boolean;
}

export interface PodScheduling {
  readonly topologySpreadConstraints: k8s.TopologySpreadConstraint[];
  readonly affinity: k8s.Affinity;
}

/**
 * Zone spread plus host anti-affinity for the pods selected by `selector`.
 *
 * The zone constraint only holds if each pod's volume can follow it: with a storage class whose
 * `volumeBindingMode` is `Immediate`, a PVC is bound to a zone before the pod is scheduled, and the
 * scheduler must then place the pod in that zone whatever the spread says. Use a storage class with
 * `volumeBindingMode: WaitForFirstConsumer`.
 */
export function podScheduling(plan: SchedulingPlan, selector: Record<string, string>): PodScheduling {
  const labelSelector = { matchLabels: { ...selector } };
  const hard = plan.zoneSpread === ZoneSpread.HARD;
  const zoneConstraint: k8s.TopologySpreadConstraint = {
    maxSkew: 1,
    topologyKey: ZONE_TOPOLOGY_KEY,
    whenUnsatisfiable: hard ? 'DoNotSchedule' : 'ScheduleAnyway',
    labelSelector,
    ...(hard ? { minDomains: plan.minDomains } : {}),
  };
  const hostTerm: k8s.PodAffinityTerm = { labelSelector, topologyKey: HOST_TOPOLOGY_KEY };
  const podAntiAffinity: k8s.PodAntiAffinity = plan.requiredHostAntiAffinity
    ? { requiredDuringSchedulingIgnoredDuringExecution: [hostTerm] }
    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: hostTerm }] };
  return { topologySpreadConstraints: [zoneConstraint], affinity: { podAntiAffinity } };
}
