import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintKeys, standardLabels, WorkloadIdentity } from '../core/labels';
import { dataStoreResources } from '../core/resources';
import { addGrafanaDashboard, addPodMonitor, addPrometheusRule, AlertRule } from './monitoring';

/** The name of the metrics port on every exporter sidecar. */
export const METRICS_PORT_NAME = 'metrics';

/** The pod labels the PodMonitor copies onto every series (`app.kubernetes.io/instance` becomes `app_kubernetes_io_instance`). */
export const POD_TARGET_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/component'];

export interface MetricsSidecarProps {
  readonly image: string;
  readonly port: number;
  readonly env: k8s.EnvVar[];
  readonly args?: string[];
  readonly volumeMounts?: k8s.VolumeMount[];
  readonly securityContext: k8s.SecurityContext;
}

/** An exporter sidecar: the `metrics` port, small fixed resources, ready once it listens. */
export function metricsSidecar(props: MetricsSidecarProps): k8s.Container {
  return {
    name: 'metrics',
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    ...(props.args ? { args: props.args } : {}),
    ports: [{ name: METRICS_PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
    env: props.env,
    resources: dataStoreResources(10, Size.mebibytes(64)),
    securityContext: props.securityContext,
    ...(props.volumeMounts ? { volumeMounts: props.volumeMounts } : {}),
    readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString(METRICS_PORT_NAME) }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  };
}

export interface ComponentMonitoringProps {
  /** The monitoring objects' identity (component `monitoring`). */
  readonly identity: WorkloadIdentity;
  /** Blueprint annotations of the component. */
  readonly annotations: Record<string, string>;
  /** Labels that make the cluster's Prometheus select the objects: the scenario's and the component's. */
  readonly monitoringLabels: Record<string, string>;
  /** Object name prefix: `<instance>-<application>`, e.g. `orders-mysql`. */
  readonly namePrefix: string;
  /** The labels of every pod with an exporter. */
  readonly podSelector: Record<string, string>;
  readonly groupName: string;
  readonly rules: readonly AlertRule[];
  /** Labels on every alert, for routing. */
  readonly alertLabels: Record<string, string>;
  readonly dashboardFileName: string;
  readonly dashboard: object;
}

/**
 * The monitoring of a component: a PodMonitor over its exporter sidecars, a PrometheusRule with its alerts, and a
 * Grafana dashboard ConfigMap.
 */
export class ComponentMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: ComponentMonitoringProps) {
    super(scope, id);
    const metadata = (name: string) => ({
      name,
      labels: { ...standardLabels(props.identity), ...props.monitoringLabels },
      annotations: { ...props.annotations, [BlueprintKeys.ROLE]: 'monitoring' },
    });
    addPodMonitor(this, 'PodMonitor', {
      metadata: metadata(`${props.namePrefix}-monitor`),
      selector: props.podSelector,
      portName: METRICS_PORT_NAME,
      intervalSeconds: 15,
      podTargetLabels: POD_TARGET_LABELS,
    });
    addPrometheusRule(this, 'Alerts', {
      metadata: metadata(`${props.namePrefix}-alerts`),
      groupName: props.groupName,
      rules: props.rules,
      labels: props.alertLabels,
    });
    addGrafanaDashboard(this, 'Dashboard', {
      metadata: metadata(`${props.namePrefix}-dashboard`),
      fileName: props.dashboardFileName,
      dashboard: props.dashboard,
    });
  }
}
