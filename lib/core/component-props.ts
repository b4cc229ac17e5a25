import type { BusinessScenario } from '../scenario/business-scenario';
import type { PropValidator } from './prop-validation';
import type { SchedulingPlan } from './scheduling';
import type { PodUser } from './security';
import type { TierProfile, ZoneSpread } from './tier';

/** At or above 10000, so the ids never map to a user of the node. */
const MIN_POD_USER_ID = 10000;

/** Who a component's pods run as, and where and how urgently they are scheduled. */
export interface PodPlacementProps {
  /**
   * Numeric user id the containers run as (10000 or more).
   *
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * Numeric group id the containers run as, and the fsGroup of the volumes (10000 or more).
   *
   * @default 10001
   */
  readonly runAsGroup?: number;

  /**
   * Priority class of the pods.
   *
   * @default - the tier's class, e.g. `stability-blueprints-critical`
   */
  readonly priorityClassName?: string;

  /**
   * Whether the zone spread blocks scheduling rather than preferring.
   *
   * @default - the tier's: ZoneSpread.HARD for CRITICAL, ZoneSpread.SOFT otherwise
   */
  readonly zoneSpread?: ZoneSpread;

  /**
   * Whether two pods of the set may never share a node.
   *
   * @default - the tier's: true for CRITICAL, false otherwise
   */
  readonly requiredHostAntiAffinity?: boolean;
}

/** The part of a component's monitoring that is the same for every component; each declares its exporter image and port. */
export interface MonitoringProps {
  /**
   * Run an exporter sidecar next to the servers, with a PodMonitor, a PrometheusRule of alerts and a Grafana dashboard
   * ConfigMap.
   *
   * @default true
   */
  readonly metrics?: boolean;

  /**
   * Labels for the PodMonitor and the PrometheusRule of this component, added to the scenario's `monitoringLabels`
   * (kube-prometheus-stack selects `release: <its Helm release>` by default).
   *
   * @default - the scenario's `monitoringLabels` only
   */
  readonly monitoringLabels?: Record<string, string>;
}

/** PodPlacementProps resolved against the tier's defaults and the scenario's zones. */
export interface PodPlacementPlan {
  readonly podUser: PodUser;
  readonly priorityClassName: string;
  readonly scheduling: SchedulingPlan;
}

/** MonitoringProps, with the component's exporter image and metrics port, resolved. */
export interface MonitoringPlan {
  readonly metrics: boolean;
  readonly exporterImage: string;
  readonly metricsPort: number;
  readonly monitoringLabels: Readonly<Record<string, string>>;
}

export function resolvePodPlacement(
  validator: PropValidator,
  props: PodPlacementProps,
  tierDefaults: TierProfile,
  scenario: BusinessScenario,
): PodPlacementPlan {
  const runAsUser = validator.wholeNumber('runAsUser', props.runAsUser ?? 10001, MIN_POD_USER_ID);
  const runAsGroup = validator.wholeNumber('runAsGroup', props.runAsGroup ?? 10001, MIN_POD_USER_ID);
  return {
    podUser: { runAsUser, runAsGroup, fsGroup: runAsGroup },
    priorityClassName: props.priorityClassName ?? tierDefaults.priorityClassName,
    scheduling: {
      zoneSpread: props.zoneSpread ?? tierDefaults.zoneSpread,
      minDomains: scenario.zones,
      requiredHostAntiAffinity: props.requiredHostAntiAffinity ?? tierDefaults.requiredHostAntiAffinity,
    },
  };
}

/** `metricsPort` is validated by the component, which knows which ports it must not take. */
export function resolveMonitoring(
  props: MonitoringProps & { readonly exporterImage?: string },
  defaultExporterImage: string,
  metricsPort: number,
): MonitoringPlan {
  return {
    metrics: props.metrics ?? true,
    exporterImage: props.exporterImage ?? defaultExporterImage,
    metricsPort,
    monitoringLabels: props.monitoringLabels ?? {},
  };
}
