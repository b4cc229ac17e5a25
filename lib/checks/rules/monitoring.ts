import { Rule, RuleOutcome, Severity } from '../model';
import { violation } from '../pod-helpers';

/** Rules over the Prometheus Operator's objects: monitoring that no Prometheus picks up watches nothing. */

/** The label kube-prometheus-stack's default podMonitorSelector, serviceMonitorSelector and ruleSelector require. */
export const RELEASE_LABEL = 'release';

export const MONITORING_HAS_RELEASE_LABEL: Rule = {
  id: 'monitoring-has-release-label',
  title: 'PodMonitors, ServiceMonitors and PrometheusRules carry the release label',
  severity: Severity.WARNING,
  targets: ['PodMonitor', 'ServiceMonitor', 'PrometheusRule'],
  rationale:
    "kube-prometheus-stack's Prometheus selects PodMonitors, ServiceMonitors and PrometheusRules labelled `release: <its Helm release>` " +
    'unless its selectors were changed: without the label the pods are never scraped and the alerts never load, and nothing says so.',
  fix:
    "Set monitoringLabels on the BusinessScenario (e.g. { release: 'kube-prometheus-stack' }, the chart's release name), or suppress " +
    'the rule where the Prometheus selects monitoring objects by other labels.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return object.metadata?.labels?.[RELEASE_LABEL]
      ? []
      : [violation('metadata.labels', `no ${RELEASE_LABEL} label: kube-prometheus-stack's default selectors ignore this ${object.kind}`)];
  },
};

export const MONITORING_RULES: readonly Rule[] = [MONITORING_HAS_RELEASE_LABEL];
