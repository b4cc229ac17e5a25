import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Tier } from '../core/tier';

/** How urgently an alert pages. */
export enum AlertSeverity {
  /** Someone is paged now. */
  CRITICAL = 'critical',
  /** A ticket for working hours. */
  WARNING = 'warning',
}

/** One alerting rule, as a component defines it. */
export interface AlertRule {
  /** CamelCase alert name, unique within the component. */
  readonly alert: string;
  /** PromQL; true (non-empty) while the condition holds. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires, in seconds. */
  readonly forSeconds: number;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly description: string;
}

/**
 * How long a condition must hold before an alert fires, by tier: a CRITICAL component pages within a minute,
 * a BEST_EFFORT one only when the condition outlasts a routine restart or failover.
 */
export function alertDelaySeconds(tier: Tier): number {
  switch (tier) {
    case Tier.CRITICAL:
      return 60;
    case Tier.HIGH:
      return 120;
    case Tier.STANDARD:
      return 300;
    case Tier.BEST_EFFORT:
      return 600;
  }
}

/**
 * The selector of the series of one pod set of a component instance (several: any of them), as the PodMonitor labels
 * them (POD_TARGET_LABELS). Without a namespace it also matches an instance of the same name in another one.
 */
export function podSetSelector(namespace: string | undefined, instance: string, components: string | readonly string[]): string {
  const component = typeof components === 'string' ? `="${components}"` : `=~"${components.join('|')}"`;
  return `{${namespace === undefined ? '' : `namespace="${namespace}", `}app_kubernetes_io_instance="${instance}", app_kubernetes_io_component${component}}`;
}

/** `{a="b"}` with more matchers. */
export function withMatchers(selector: string, ...matchers: string[]): string {
  return `${selector.slice(0, -1)}, ${matchers.join(', ')}}`;
}

/**
 * The selector of the kubelet's volume series of one StatefulSet's `data` claims, `data-<set>-<ordinal>`. Those series
 * carry no pod labels, only the claim's namespace and name: the kubelet's scrape job must keep their `namespace`
 * (honorLabels, as kube-prometheus-stack's does), and without a namespace they also match a set of the same name in
 * another one.
 */
export function dataClaimsSelector(namespace: string | undefined, statefulSet: string): string {
  return `{${namespace === undefined ? '' : `namespace="${namespace}", `}persistentvolumeclaim=~"data-${statefulSet}-[0-9]+"}`;
}

/** The free share of each volume the selector picks. */
export function volumeFreeShare(selector: string): string {
  return `kubelet_volume_stats_available_bytes${selector} / kubelet_volume_stats_capacity_bytes${selector}`;
}

/** Free space of a data volume: a ticket below the first, a page below the second. */
const VOLUME_FREE_WARNING_RATIO = 0.15;
const VOLUME_FREE_CRITICAL_RATIO = 0.05;

export interface VolumeAlertsInput {
  /** The alert name prefix: `Kafka` gives KafkaVolumeFillingUp and KafkaVolumeAlmostFull. */
  readonly prefix: string;
  /** What the summaries name: `Kafka order-events`. */
  readonly subject: string;
  /** The kubelet volume selectors of the component's data claims (dataClaimsSelector). */
  readonly volumes: readonly string[];
  readonly forSeconds: number;
  /** What a full volume does to the component. */
  readonly consequence: string;
  /** What to do before the volume is full: `Delete data or grow the volume.` */
  readonly remedy: string;
  /** What losing the data costs, added to the page. @default - nothing */
  readonly dataNote?: string;
}

/** A ticket when a data volume has less than 15% free, a page below 5%, from the kubelet's volume statistics. */
export function volumeAlerts(input: VolumeAlertsInput): AlertRule[] {
  const below = (ratio: number) => input.volumes.map((selector) => `${volumeFreeShare(selector)} < ${ratio}`).join(' or ');
  const summary = (ratio: number) => `${input.subject}: {{ $labels.persistentvolumeclaim }} has less than ${ratio * 100}% free space`;
  return [
    {
      alert: `${input.prefix}VolumeFillingUp`,
      expr: below(VOLUME_FREE_WARNING_RATIO),
      forSeconds: input.forSeconds,
      severity: AlertSeverity.WARNING,
      summary: summary(VOLUME_FREE_WARNING_RATIO),
      description: `From the kubelet's volume statistics, silent without them. ${input.consequence} ${input.remedy}`,
    },
    {
      alert: `${input.prefix}VolumeAlmostFull`,
      expr: below(VOLUME_FREE_CRITICAL_RATIO),
      forSeconds: input.forSeconds,
      severity: AlertSeverity.CRITICAL,
      summary: summary(VOLUME_FREE_CRITICAL_RATIO),
      description: `From the kubelet's volume statistics. ${input.consequence} Grow the volume now.${input.dataNote ? ` ${input.dataNote}` : ''}`,
    },
  ];
}

/** A Prometheus duration for whole seconds: `90s`, `2m`. */
export function promDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

export interface PodMonitorProps {
  readonly metadata: k8s.ObjectMeta;
  readonly selector: Record<string, string>;
  /** Name of the pod port that serves `/metrics`. */
  readonly portName: string;
  readonly intervalSeconds: number;
  /** Pod labels copied onto every series, so alert expressions can select one component instance. */
  readonly podTargetLabels: string[];
}

/** A prometheus-operator PodMonitor: scrapes the pods directly, so no Service has to expose the metrics port. */
export function addPodMonitor(scope: Construct, id: string, props: PodMonitorProps): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: props.metadata,
    spec: {
      selector: { matchLabels: props.selector },
      podTargetLabels: props.podTargetLabels,
      podMetricsEndpoints: [{ port: props.portName, path: '/metrics', interval: promDuration(props.intervalSeconds) }],
    },
  });
}

export interface PrometheusRuleProps {
  readonly metadata: k8s.ObjectMeta;
  readonly groupName: string;
  readonly rules: readonly AlertRule[];
  /** Labels on every alert, for routing: owner, scenario, tier. */
  readonly labels: Record<string, string>;
}

/** The alerting rules of a component as a prometheus-operator PrometheusRule. */
export function addPrometheusRule(scope: Construct, id: string, props: PrometheusRuleProps): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: props.metadata,
    spec: { groups: [{ name: props.groupName, rules: props.rules.map((rule) => toPrometheusRule(rule, props.labels)) }] },
  });
}

/** One rule in the Prometheus rule-file format (the same inside a PrometheusRule and in a file for promtool). */
export function toPrometheusRule(rule: AlertRule, labels: Record<string, string>): Record<string, unknown> {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: promDuration(rule.forSeconds),
    labels: { ...labels, severity: rule.severity },
    annotations: { summary: rule.summary, description: rule.description },
  };
}

export interface GrafanaDashboardProps {
  readonly metadata: k8s.ObjectMeta;
  readonly fileName: string;
  readonly dashboard: object;
}

/** A dashboard the Grafana sidecar loads from any ConfigMap labelled `grafana_dashboard: "1"`. */
export function addGrafanaDashboard(scope: Construct, id: string, props: GrafanaDashboardProps): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, id, {
    metadata: { ...props.metadata, labels: { ...props.metadata.labels, grafana_dashboard: '1' } },
    data: { [props.fileName]: JSON.stringify(props.dashboard, undefined, 2) },
  });
}
