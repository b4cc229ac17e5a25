import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintError } from '../errors';
import { BlueprintKeys, selectorLabels, standardLabels } from './labels';
import { ComponentPodSet } from './component';
import { describePodSet, hardenedPodTemplate, PodSetDescription, PodSetProps, podSetServiceAccount, quorumDisruptionBudget } from './pod-template';
import { ServicePortSpec } from './stateful-pod-set';

export interface StatelessPodSetProps extends PodSetProps {
  /** At least 2: one pod keeps serving while the other is drained, rolled or rescheduled. */
  readonly replicas: number;
  /** The ports of the ClusterIP Service in front of the pods. */
  readonly servicePorts: ServicePortSpec[];
}

/**
 * A Deployment of interchangeable pods behind a ClusterIP Service, with a PodDisruptionBudget: the shape of a
 * component's proxies and routers. It never drops below `replicas - 1` pods: a rolling update starts a new pod
 * before it stops an old one, and the budget lets one pod go at a time.
 */
export class StatelessPodSet extends Construct {
  /** `<instance>-<component>`: the Service's name, which clients use; the other objects derive theirs from it. */
  public readonly name: string;
  public readonly serviceName: string;
  /** `<set>-deployment`: the cdk8s validation plugin keys construct metadata by object name alone, whatever the kind. */
  public readonly deploymentName: string;
  public readonly selector: Record<string, string>;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  public readonly disruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** `<set>-pods`: object names stay unique across kinds. */
  public readonly serviceAccountName: string;
  private readonly replicas: number;

  constructor(scope: Construct, id: string, props: StatelessPodSetProps) {
    super(scope, id);
    const { identity } = props;
    if (!Number.isInteger(props.replicas) || props.replicas < 2) {
      throw new BlueprintError(
        this.node.path,
        'replicas',
        props.replicas,
        'a whole number of at least 2, so one pod serves while another is drained',
      );
    }
    this.name = `${identity.instance}-${identity.component}`;
    this.replicas = props.replicas;
    this.serviceAccountName = `${this.name}-pods`;
    this.serviceName = this.name;
    this.deploymentName = `${this.name}-deployment`;
    this.selector = selectorLabels(identity);
    const labels = standardLabels(identity);
    const quorum = props.replicas - 1;
    const metadata = (name: string) => ({ name, labels, annotations: { ...props.annotations, [BlueprintKeys.QUORUM]: String(quorum) } });

    this.serviceAccount = podSetServiceAccount(this, 'ServiceAccount', { name: this.serviceAccountName, labels, annotations: props.annotations });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, labels, annotations: props.annotations },
      spec: {
        type: 'ClusterIP',
        selector: this.selector,
        ports: props.servicePorts.map((port) => ({
          name: port.name,
          port: port.port,
          targetPort: k8s.IntOrString.fromString(port.name),
          appProtocol: port.appProtocol,
        })),
      },
    });

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: metadata(this.deploymentName),
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: this.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        revisionHistoryLimit: 10,
        template: hardenedPodTemplate(props, this.selector, this.serviceAccountName),
      },
    });

    this.disruptionBudget = quorumDisruptionBudget(this, 'DisruptionBudget', {
      metadata: metadata(`${this.name}-budget`),
      selector: this.selector,
      replicas: props.replicas,
      quorum,
    });
  }

  /** The set as the component contract describes it. */
  public describe(description: PodSetDescription): ComponentPodSet {
    return describePodSet(description, {
      workloadKind: 'Deployment',
      name: this.deploymentName,
      serviceAccountName: this.serviceAccountName,
      selector: this.selector,
      replicas: this.replicas,
      quorum: this.replicas - 1,
    });
  }
}
