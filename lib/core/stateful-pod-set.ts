import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BlueprintError } from '../errors';
import { BlueprintKeys, selectorLabels, standardLabels } from './labels';
import { ComponentPodSet } from './component';
import { describePodSet, hardenedPodTemplate, PodSetDescription, PodSetProps, podSetServiceAccount, quorumDisruptionBudget } from './pod-template';

export enum PodManagementPolicy {
  ORDERED_READY = 'OrderedReady',
  PARALLEL = 'Parallel',
}

export enum PvcRetention {
  /** Keep the claim and its data; the safe choice for anything that is not a disposable cache. */
  RETAIN = 'Retain',
  DELETE = 'Delete',
}

export interface VolumeClaim {
  readonly name: string;
  readonly size: Size;
  /** @default - the cluster's default storage class */
  readonly storageClassName?: string;
}

export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  /** The Service port's `appProtocol`, which meshes use instead of guessing the protocol. */
  readonly appProtocol: string;
}

export interface StatefulPodSetProps extends PodSetProps {
  /** Pods that must stay up for the set to keep serving and deciding; the PDB never lets it drop below. */
  readonly quorum: number;
  /** The pods vote by majority (sentinels, consensus members), so the set must be odd-sized. */
  readonly votesByMajority: boolean;
  readonly podManagementPolicy: PodManagementPolicy;
  readonly minReadySeconds: number;
  readonly volumeClaims: VolumeClaim[];
  readonly pvcRetentionWhenDeleted: PvcRetention;
  readonly pvcRetentionWhenScaled: PvcRetention;
  /** The ports peers reach each other on through the headless Service. */
  readonly peerPorts: ServicePortSpec[];
}

/**
 * A StatefulSet with its headless Service and PodDisruptionBudget: the shape every stateful component shares.
 *
 * Pods get stable DNS names (`<pod>.<headless service>.<namespace>.svc.<cluster domain>`) that resolve before
 * the pods are ready, because peers must find each other to become ready.
 */
export class StatefulPodSet extends Construct {
  public readonly name: string;
  public readonly headlessServiceName: string;
  public readonly selector: Record<string, string>;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly headlessService: k8s.KubeService;
  public readonly disruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** `<set>-pods`: object names stay unique across kinds. */
  public readonly serviceAccountName: string;
  private readonly replicas: number;
  private readonly quorum: number;

  constructor(scope: Construct, id: string, props: StatefulPodSetProps) {
    super(scope, id);
    const { identity } = props;
    // A set of one pod (an arbiter) keeps none up: its PDB lets the one go, and the component's quorum counts it.
    const minimumQuorum = props.replicas === 1 ? 0 : 1;
    if (!Number.isInteger(props.quorum) || props.quorum < minimumQuorum || props.quorum >= props.replicas) {
      throw new BlueprintError(
        this.node.path,
        'quorum',
        props.quorum,
        props.replicas === 1
          ? '0 for a set of one pod, so the disruption budget allows its eviction'
          : `from 1 to ${props.replicas - 1} (one fewer than the ${props.replicas} replicas), so the disruption budget allows an eviction`,
      );
    }
    this.name = `${identity.instance}-${identity.component}`;
    this.replicas = props.replicas;
    this.serviceAccountName = `${this.name}-pods`;
    this.quorum = props.quorum;
    this.headlessServiceName = `${this.name}-headless`;
    this.selector = selectorLabels(identity);
    const labels = standardLabels(identity);
    const metadata = (name: string) => ({ name, labels, annotations: props.annotations });
    const quorumAnnotations = {
      ...props.annotations,
      [BlueprintKeys.QUORUM]: String(props.quorum),
      ...(props.votesByMajority ? { [BlueprintKeys.CONSENSUS]: 'majority' } : {}),
    };

    this.serviceAccount = podSetServiceAccount(this, 'ServiceAccount', metadata(this.serviceAccountName));
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: metadata(this.headlessServiceName),
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector: this.selector,
        ports: props.peerPorts.map((port) => ({
          name: port.name,
          port: port.port,
          targetPort: k8s.IntOrString.fromString(port.name),
          appProtocol: port.appProtocol,
        })),
      },
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { ...metadata(this.name), annotations: quorumAnnotations },
      spec: {
        serviceName: this.headlessServiceName,
        replicas: props.replicas,
        selector: { matchLabels: this.selector },
        podManagementPolicy: props.podManagementPolicy,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        minReadySeconds: props.minReadySeconds,
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: props.pvcRetentionWhenDeleted, whenScaled: props.pvcRetentionWhenScaled },
        volumeClaimTemplates: props.volumeClaims.map((claim) => ({
          metadata: { name: claim.name, labels, annotations: props.annotations },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: claim.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(`${claim.size.toMebibytes()}Mi`) } },
          },
        })),
        template: hardenedPodTemplate(props, this.selector, this.serviceAccountName),
      },
    });

    this.disruptionBudget = quorumDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { ...metadata(`${this.name}-budget`), annotations: quorumAnnotations },
      selector: this.selector,
      replicas: props.replicas,
      quorum: props.quorum,
    });
  }

  /** The set as the component contract describes it. */
  public describe(description: PodSetDescription): ComponentPodSet {
    return describePodSet(description, {
      workloadKind: 'StatefulSet',
      name: this.name,
      serviceAccountName: this.serviceAccountName,
      selector: this.selector,
      replicas: this.replicas,
      quorum: this.quorum,
    });
  }

  /**
   * The stable DNS name of pod `ordinal`: it resolves as soon as the pod exists, ready or not. Without a namespace
   * (the objects go wherever they are applied) the name relative to it, which resolves from the same namespace.
   */
  public podHost(ordinal: number, namespace: string | undefined, clusterDomain: string): string {
    const relative = `${this.name}-${ordinal}.${this.headlessServiceName}`;
    return namespace === undefined ? relative : `${relative}.${namespace}.svc.${clusterDomain}`;
  }
}
