import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Peer } from './peer';

export interface NetworkRule {
  readonly peer: Peer;
  readonly ports: number[];
}

export interface ComponentNetworkPolicyProps {
  readonly metadata: k8s.ObjectMeta;
  /** The pods the policy protects. */
  readonly podSelector: Record<string, string>;
  /** Connections the pods accept from the start (peers of the same component, monitoring). */
  readonly ingress: NetworkRule[];
  /** Connections the pods open, besides DNS. */
  readonly egress: NetworkRule[];
  /** Ports Prometheus scrapes; `monitoring` is admitted on them. */
  readonly metricsPorts: number[];
  /** The scrapers, usually the scenario's `monitoring` peer. */
  readonly monitoring: Peer;
  /**
   * The pods call the Kubernetes API. Its endpoints are the control plane's addresses, which no pod or namespace
   * selector matches and which differ per cluster, so the rule admits the API's usual ports (443, 6443) to any address.
   *
   * @default false
   */
  readonly kubernetesApiEgress?: boolean;
}

/** The ports the API server listens on behind the `kubernetes` Service: 443 on managed clusters, 6443 with kubeadm. */
const KUBERNETES_API_PORTS = [443, 6443];

/**
 * A default-deny NetworkPolicy for one set of pods that admits only the listed peers on the listed ports.
 *
 * One policy with both directions, rather than one per rule, so that the policy the pods are under can be
 * read in one place (and Polaris `missingNetworkPolicy` is satisfied). DNS egress goes to port 53 of any
 * address, because node-local DNS caches listen on a link-local address that no pod selector matches.
 */
export class ComponentNetworkPolicy extends Construct {
  private readonly ingressRules: NetworkRule[];

  constructor(scope: Construct, id: string, props: ComponentNetworkPolicyProps) {
    super(scope, id);
    this.ingressRules = [...props.ingress];
    if (props.metricsPorts.length > 0) {
      this.ingressRules.push({ peer: props.monitoring, ports: props.metricsPorts });
    }
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: props.metadata,
      spec: {
        podSelector: { matchLabels: props.podSelector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({ produce: () => this.ingressRules.map((rule) => ({ from: [rule.peer._toKube()], ports: tcpPorts(rule.ports) })) }),
        egress: [
          ...props.egress.map((rule) => ({ to: [rule.peer._toKube()], ports: tcpPorts(rule.ports) })),
          ...(props.kubernetesApiEgress ? [{ ports: tcpPorts(KUBERNETES_API_PORTS) }] : []),
          {
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
  }

  /** Admits connections from `peer` to `ports`. */
  public allowFrom(peer: Peer, ports: number[]): void {
    this.ingressRules.push({ peer, ports });
  }
}

function tcpPorts(ports: number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}
