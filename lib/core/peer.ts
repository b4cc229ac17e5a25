import type * as kplus from 'cdk8s-plus-28';
import type { k8s } from 'cdk8s-plus-28';

/**
 * Pods that may open connections to a component: a NetworkPolicy peer.
 *
 * A peer without namespace labels means the component's own namespace, as in Kubernetes.
 */
export class Peer {
  /** Pods carrying all these labels, in the component's namespace or, with `namespaceLabels`, in the namespaces carrying those. */
  public static podsLabelled(podLabels: Record<string, string>, options: PeerOptions = {}): Peer {
    return new Peer(podLabels, options.namespaceLabels);
  }

  /** The pods of a cdk8s-plus workload (Deployment, StatefulSet, ...), wherever its namespace is. */
  public static workload(workload: kplus.Workload): Peer {
    const namespace = workload.metadata.namespace;
    return new Peer(workload.matchLabels, namespace === undefined ? undefined : { 'kubernetes.io/metadata.name': namespace });
  }

  /** Every pod of the namespaces carrying these labels. */
  public static namespacesLabelled(namespaceLabels: Record<string, string>): Peer {
    return new Peer({}, namespaceLabels);
  }

  private constructor(
    public readonly podLabels: Readonly<Record<string, string>>,
    public readonly namespaceLabels?: Readonly<Record<string, string>>,
  ) {}

  /** @internal */
  public _toKube(): k8s.NetworkPolicyPeer {
    return {
      podSelector: { matchLabels: { ...this.podLabels } },
      ...(this.namespaceLabels === undefined ? {} : { namespaceSelector: { matchLabels: { ...this.namespaceLabels } } }),
    };
  }
}

export interface PeerOptions {
  /**
   * Labels of the namespaces the pods may live in.
   *
   * @default - the component's own namespace
   */
  readonly namespaceLabels?: Record<string, string>;
}
