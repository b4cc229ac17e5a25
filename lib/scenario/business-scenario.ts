import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CheckReport } from '../checks/engine';
import { checkChart, checksRunAppWide, prepareChartForChecks } from '../checks/synthesis';
import { BlueprintError } from '../errors';
import { isDnsLabel, isDnsSubdomain } from '../core/dns';
import { BlueprintKeys, MANAGED_BY, standardLabels } from '../core/labels';
import { Peer } from '../core/peer';
import { ALL_TIERS, isTier, Tier, TIER_CHOICES, tierProfile } from '../core/tier';

export interface BusinessScenarioProps {
  /**
   * The team that owns the scenario and is paged for it; written to every object.
   */
  readonly owner: string;

  /**
   * The tier whose profile sets the defaults of every component in the scenario.
   *
   * @default Tier.STANDARD
   */
  readonly tier?: Tier;

  /**
   * The namespace of every object in the scenario.
   *
   * @default - no namespace: the objects go where they are applied
   */
  readonly namespace?: string;

  /**
   * How many zones the cluster's nodes span. CRITICAL components use it as `minDomains` of their zone spread.
   *
   * @default 3
   */
  readonly zones?: number;

  /**
   * The cluster's DNS domain, used in the stable host names that peers announce.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Emit the tier PriorityClass objects (once per app), so pods are never rejected at admission for a missing class.
   * Turn off on clusters that define these classes themselves.
   *
   * @default true
   */
  readonly emitPriorityClasses?: boolean;

  /**
   * The Prometheus pods allowed to scrape metrics ports.
   *
   * @default - pods labelled `app.kubernetes.io/name: prometheus` in any namespace
   */
  readonly monitoring?: Peer;

  /**
   * Labels on every monitoring object of the scenario (PodMonitors, PrometheusRules), so that the cluster's
   * Prometheus selects them: kube-prometheus-stack selects `release: <its Helm release>` by default, and the check
   * `monitoring-has-release-label` warns at synthesis when the label is missing. A component's own
   * `monitoringLabels` are added to these.
   *
   * @default - none
   */
  readonly monitoringLabels?: Record<string, string>;

  /**
   * Ids of check rules not to run at synthesis for this scenario. Prefer `Suppressions.add` with a reason, which
   * keeps the finding visible in reports.
   *
   * @default - every rule that is on by default
   */
  readonly skipRules?: string[];
}

const PRIORITY_CLASSES_CHART_ID = 'stability-blueprints-priority-classes';
const SCENARIO_MARKER = Symbol.for('stability-blueprints.BusinessScenario');

/**
 * A business scenario (checkout, flash sale, payments, ...): a cdk8s Chart that carries the tier, zones and owner
 * its components take their defaults from.
 */
export class BusinessScenario extends Chart {
  /**
   * True for a BusinessScenario, also one from another copy of this library. Not `instanceof`: cdk8s makes every
   * Chart an instance of every Chart subclass.
   */
  public static isBusinessScenario(construct: unknown): construct is BusinessScenario {
    return typeof construct === 'object' && construct !== null && SCENARIO_MARKER in construct;
  }

  /** The scenario that contains `construct`; throws when there is none. */
  public static of(construct: Construct): BusinessScenario {
    const scenario = construct.node.scopes.reverse().find(BusinessScenario.isBusinessScenario);
    if (!scenario) {
      throw new BlueprintError(construct.node.path, 'scope', construct.node.path, 'define the construct inside a BusinessScenario');
    }
    return scenario;
  }

  public readonly scenarioName: string;
  public readonly owner: string;
  public readonly tier: Tier;
  public readonly zones: number;
  public readonly clusterDomain: string;
  public readonly monitoring: Peer;
  /** Labels on every monitoring object of the scenario. */
  public readonly monitoringLabels: Readonly<Record<string, string>>;
  /**
   * The findings of the last synthesis of this scenario. Under our `App`, the part of the app-wide run about this
   * scenario's objects.
   */
  public lastCheckReport?: CheckReport;
  /** Ids of the check rules not run on this scenario's objects. */
  public readonly skipRules: readonly string[];

  constructor(scope: Construct, id: string, props: BusinessScenarioProps) {
    super(scope, id, { namespace: props.namespace });
    Object.defineProperty(this, SCENARIO_MARKER, { value: true });
    this.scenarioName = id;
    this.owner = props.owner;
    this.tier = props.tier ?? Tier.STANDARD;
    this.zones = props.zones ?? 3;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.monitoring = props.monitoring ?? Peer.podsLabelled({ 'app.kubernetes.io/name': 'prometheus' }, { namespaceLabels: {} });
    this.monitoringLabels = props.monitoringLabels ?? {};
    this.skipRules = props.skipRules ?? [];
    this.validate(props);
    if (props.emitPriorityClasses ?? true) {
      const priorityClasses = ensurePriorityClasses(this.node.root);
      // A dependency makes cdk8s number the files in dependency order, so `kubectl apply -f dist/` creates the
      // classes before the pods that name them (the admission of a pod with an unknown class fails).
      if (priorityClasses) {
        this.addDependency(priorityClasses);
      }
    }
  }

  /**
   * The scenario's manifests, after the check catalog ran over them: an error finding stops synthesis with the rule,
   * the object, its construct path, the field and the fix; warnings are printed. Under our `App`, which applies the
   * suppressions before any chart renders and checks all charts at once afterwards, only the manifests.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature of Chart.toJson
  public toJson(): any[] {
    if (checksRunAppWide(this)) {
      return super.toJson();
    }
    prepareChartForChecks(this);
    const manifests = super.toJson();
    this.lastCheckReport = checkChart(this, manifests, { skipRules: this.skipRules });
    return manifests;
  }

  /** The annotations every object of a component in this scenario carries. */
  public annotationsFor(component: string): Record<string, string> {
    return {
      [BlueprintKeys.COMPONENT]: component,
      [BlueprintKeys.TIER]: this.tier,
      [BlueprintKeys.SCENARIO]: this.scenarioName,
      [BlueprintKeys.OWNER]: this.owner,
    };
  }

  private validate(props: BusinessScenarioProps): void {
    const path = this.node.path;
    if (!isDnsLabel(this.scenarioName)) {
      throw new BlueprintError(path, 'id', this.scenarioName, 'a scenario id is a label value: lower-case letters, digits and "-", at most 63');
    }
    if (this.owner.trim() === '' || this.owner.length > 63) {
      throw new BlueprintError(path, 'owner', this.owner, 'name the owning team in 1 to 63 characters');
    }
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      throw new BlueprintError(path, 'namespace', props.namespace, 'a namespace is a DNS label: lower-case letters, digits and "-", at most 63');
    }
    if (!isTier(this.tier)) {
      throw new BlueprintError(path, 'tier', this.tier, `one of ${TIER_CHOICES}`);
    }
    if (!Number.isInteger(this.zones) || this.zones < 1) {
      throw new BlueprintError(path, 'zones', this.zones, 'a whole number of at least 1');
    }
    if (this.tier === Tier.CRITICAL && this.zones < 3) {
      throw new BlueprintError(path, 'zones', this.zones, 'a CRITICAL scenario spans at least 3 zones, so that losing one zone leaves a majority');
    }
    if (!isDnsSubdomain(this.clusterDomain)) {
      throw new BlueprintError(path, 'clusterDomain', this.clusterDomain, 'a DNS subdomain such as "cluster.local"');
    }
  }
}

/** The tier classes are cluster-scoped, so they live in one chart of their own per app, whatever the number of scenarios. */
function ensurePriorityClasses(root: Construct): Chart | undefined {
  if (!(root instanceof App)) {
    return undefined;
  }
  const existing = root.node.tryFindChild(PRIORITY_CLASSES_CHART_ID);
  if (existing) {
    return existing as Chart;
  }
  const chart = new Chart(root, PRIORITY_CLASSES_CHART_ID);
  for (const tier of ALL_TIERS) {
    const profile = tierProfile(tier);
    new k8s.KubePriorityClass(chart, tier, {
      metadata: {
        name: profile.priorityClassName,
        labels: standardLabels({ name: MANAGED_BY, instance: tier, component: 'priority-class', partOf: MANAGED_BY }),
        annotations: { [BlueprintKeys.TIER]: tier },
      },
      value: profile.priorityValue,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `stability-blueprints ${tier} tier`,
    });
  }
  return chart;
}
