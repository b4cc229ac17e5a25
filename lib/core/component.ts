import { Construct, IConstruct } from 'constructs';
import type { Peer } from './peer';
import type { DataClass, Tier } from './tier';

/** What a port of a component is for; the mesh and the NetworkPolicy admit each kind from different peers. */
export enum PortRole {
  /** Workloads that declared the component use it. */
  CLIENT = 'client',
  /** The component's own pods use it: replication, consensus, state transfer. */
  PEER = 'peer',
  /** Prometheus scrapes it. */
  METRICS = 'metrics',
  /** Health checks of the component's own proxies use it. */
  HEALTH = 'health',
}

/** One port of a pod set, named as on the containers and Services. */
export interface ComponentPort {
  /** The port name on the containers and Services (an IANA service name: at most 15 characters). */
  readonly name: string;
  readonly port: number;
  /** Who uses the port: a Redis port serves clients and replicas alike. */
  readonly roles: readonly PortRole[];
  /**
   * The application protocol, as Kubernetes `appProtocol` and mesh protocol selection take it: `redis`, `mysql`,
   * `http`, or `tcp` for a protocol no mesh parses.
   */
  readonly appProtocol: string;
  /**
   * The server speaks first (MySQL's handshake): a proxy that sniffs the protocol waits for the client and the
   * connection hangs until the sniffing times out, so the port must be declared opaque.
   */
  readonly serverFirst: boolean;
}

/** One set of pods of a component, as the mesh, the report and the failure-domain analysis see it. */
export interface ComponentPodSet {
  /** What the pods do in the component: `redis`, `sentinel`, `mysql`, `router`, `proxy`. */
  readonly role: string;
  readonly workloadKind: 'StatefulSet' | 'Deployment';
  readonly workloadName: string;
  /** The labels that select exactly these pods. */
  readonly selector: Readonly<Record<string, string>>;
  readonly replicas: number;
  /** Each pod set has a service account of its own, so mesh policies can tell the sets apart. */
  readonly serviceAccountName: string;
  readonly ports: readonly ComponentPort[];
  /** The pods hold data on a volume of their own (a lost volume is a lost copy). */
  readonly holdsData: boolean;
  /** The pods vote by majority: the set keeps deciding only while a majority of them is up. */
  readonly votes: boolean;
  /** Pods of the set that must stay up; the PodDisruptionBudget never lets the set drop below. */
  readonly minAvailable: number;
}

/** Who must be up for the component to accept writes. */
export interface QuorumRule {
  /** The role of the pod set whose majority decides who is primary. */
  readonly votingRole: string;
  readonly voters: number;
  /** Voters that must be up and connected for a primary to be elected (a majority). */
  readonly votersForFailover: number;
  /** The role of the pod set that holds the data. */
  readonly dataRole: string;
  /** Data pods that must be up and connected for a write to be acknowledged: the primary and its synchronous copies. */
  readonly dataPodsForWrites: number;
  /** The rule in a sentence, for the report. */
  readonly description: string;
}

/** What an acknowledged write survives. */
export interface DurabilityPromise {
  readonly dataClass: DataClass;
  /** Pods that hold an acknowledged write when the client hears OK, the primary included. */
  readonly acknowledgedCopies: number;
  /** When a write reaches the disk of each copy, relative to the acknowledgement. */
  readonly flushedToDisk: DiskFlush;
  /** Losses an acknowledged write survives, for the report: `the loss of one pod, node or zone`. */
  readonly survives: string;
}

export enum DiskFlush {
  /** Every acknowledged write is on the primary's disk (fsync) before the acknowledgement. */
  BEFORE_ACKNOWLEDGEMENT = 'before-acknowledgement',
  /**
   * The disk lags by about a second, two while an fsync is slow (Redis appendfsync everysec then holds writes back in
   * memory): a crash or power loss of every copy at once loses that window.
   */
  WITHIN_A_SECOND = 'within-a-second',
  /**
   * Left to the kernel's write-back of the page cache (Kafka's default, which relies on its replicas instead of fsync):
   * a crash of the process loses nothing, a power loss of every copy at once may lose the last seconds.
   */
  BY_THE_OPERATING_SYSTEM = 'by-the-operating-system',
  /** Memory only: a restart of a pod loses its copy. */
  NEVER = 'never',
}

/** How long writes stop when the primary's pod, node or zone is lost. */
export interface FailoverBudget {
  /** Seconds until the loss is detected. */
  readonly detectionSeconds: number;
  /** Seconds from the loss to writes accepted again, at most, when a majority and a synchronous copy remain. */
  readonly writesResumeWithinSeconds: number;
  readonly description: string;
}

/** The contract a component publishes: everything mesh policies, the report and the failure analysis read of it. */
export interface ComponentContract {
  /** The component kind, as in the `stability-blueprints.io/component` annotation: `redis-sentinel`. */
  readonly component: string;
  /** The instance name, as in `app.kubernetes.io/instance`. */
  readonly name: string;
  readonly tier: Tier;
  readonly podSets: readonly ComponentPodSet[];
  readonly quorum: QuorumRule;
  readonly durability: DurabilityPromise;
  readonly failoverBudget: FailoverBudget;
}

/** A component of this library: a construct that publishes its contract and admits declared clients. */
export interface IBlueprintComponent extends IConstruct {
  readonly contract: ComponentContract;
  /** Lets `peer` reach every client port of the component. */
  allowFrom(peer: Peer): void;
}

const COMPONENT_SYMBOL = Symbol.for('stability-blueprints.component');

/** Base of every component: registers it so `BlueprintComponent.all` finds it in any construct tree. */
export abstract class BlueprintComponent extends Construct implements IBlueprintComponent {
  /** Whether `construct` is a component of this library (across copies of the library in one process). */
  public static isComponent(construct: unknown): construct is IBlueprintComponent {
    return typeof construct === 'object' && construct !== null && COMPONENT_SYMBOL in construct;
  }

  /** Every component under `scope`, in construct tree order. */
  public static all(scope: IConstruct): IBlueprintComponent[] {
    return scope.node.findAll().filter((construct): construct is IBlueprintComponent => BlueprintComponent.isComponent(construct));
  }

  public abstract readonly contract: ComponentContract;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, COMPONENT_SYMBOL, { value: true });
  }

  public abstract allowFrom(peer: Peer): void;
}
