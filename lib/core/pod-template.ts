import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentPodSet, ComponentPort } from './component';
import { maxUnavailableForQuorum } from './disruption-budget';
import { standardLabels, WorkloadIdentity } from './labels';
import { podScheduling, SchedulingPlan } from './scheduling';
import { PodUser, restrictedPodSecurityContext } from './security';

/** What every pod set of a component (stateful or not) builds its pods from. */
export interface PodSetProps {
  readonly identity: WorkloadIdentity;
  /** The blueprint annotations of every object of the set. */
  readonly annotations: Record<string, string>;
  /** Annotations of the pod template only, e.g. a hash of the configuration so a change rolls the pods. */
  readonly podAnnotations: Record<string, string>;
  readonly replicas: number;
  readonly terminationGracePeriodSeconds: number;
  readonly containers: k8s.Container[];
  /**
   * Containers that run to completion before the others start, e.g. one that reads the node's zone.
   *
   * @default - none
   */
  readonly initContainers?: k8s.Container[];
  readonly volumes: k8s.Volume[];
  readonly scheduling: SchedulingPlan;
  readonly podUser: PodUser;
  readonly priorityClassName: string;
}

/**
 * The pod template of a set: the standard labels, no service account token and no service links, the priority
 * class, restricted pod security, and zone spread with host anti-affinity over the pods that `selector` selects.
 */
export function hardenedPodTemplate(props: PodSetProps, selector: Record<string, string>, serviceAccountName: string): k8s.PodTemplateSpec {
  const scheduling = podScheduling(props.scheduling, selector);
  return {
    metadata: { labels: standardLabels(props.identity), annotations: { ...props.annotations, ...props.podAnnotations } },
    spec: {
      serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      priorityClassName: props.priorityClassName,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      securityContext: restrictedPodSecurityContext(props.podUser),
      topologySpreadConstraints: scheduling.topologySpreadConstraints,
      affinity: scheduling.affinity,
      ...(props.initContainers ? { initContainers: props.initContainers } : {}),
      containers: props.containers,
      volumes: props.volumes,
    },
  };
}

/**
 * The service account of one pod set, without an API token: the pods never call the Kubernetes API, and a mesh
 * identifies them by it (its policies admit a client or a peer by service account).
 */
export function podSetServiceAccount(scope: Construct, id: string, metadata: k8s.ObjectMeta): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, id, { metadata, automountServiceAccountToken: false });
}

/** What the contract says of one pod set, from what the set was built with. */
export interface PodSetDescription {
  readonly role: string;
  readonly ports: readonly ComponentPort[];
  readonly holdsData: boolean;
  readonly votes: boolean;
}

/** @internal The ComponentPodSet of a built pod set. */
export function describePodSet(
  description: PodSetDescription,
  built: {
    readonly workloadKind: ComponentPodSet['workloadKind'];
    readonly name: string;
    readonly serviceAccountName: string;
    readonly selector: Record<string, string>;
    readonly replicas: number;
    readonly quorum: number;
  },
): ComponentPodSet {
  return {
    role: description.role,
    workloadKind: built.workloadKind,
    workloadName: built.name,
    selector: { ...built.selector },
    replicas: built.replicas,
    serviceAccountName: built.serviceAccountName,
    ports: description.ports,
    holdsData: description.holdsData,
    votes: description.votes,
    minAvailable: built.quorum,
  };
}

/**
 * The PodDisruptionBudget that keeps `quorum` of `replicas` pods up. Unhealthy pods may always be evicted: they
 * serve nobody, and a budget that counted them would block every drain while one pod is stuck.
 */
export function quorumDisruptionBudget(
  scope: Construct,
  id: string,
  props: { readonly metadata: k8s.ObjectMeta; readonly selector: Record<string, string>; readonly replicas: number; readonly quorum: number },
): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: props.metadata,
    spec: {
      selector: { matchLabels: props.selector },
      maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailableForQuorum(props.replicas, props.quorum)),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
