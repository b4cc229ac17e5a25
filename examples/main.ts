import { ApiObject, App as Cdk8sApp, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  App,
  BusinessScenario,
  ComponentNetworkPolicy,
  DataClass,
  KAFKA_CLIENT_PORT,
  KafkaCluster,
  MONGODB_PORT,
  MongoReplicaSet,
  MysqlEngine,
  MysqlReplication,
  Peer,
  RedisSentinel,
  Tier,
} from '../lib';

/**
 * A small shop in the CRITICAL tier: the cart service keeps carts in a cache (losing one costs a shopper a few
 * clicks), sessions in a system of record (losing one logs a shopper out mid-checkout), orders in a MySQL
 * database that must never lose a committed order, and publishes every placed order to the order-events Kafka
 * cluster, which fulfilment and billing consume: an acknowledged event must survive a broker or a zone. It reads
 * products and prices from the catalog, a MongoDB replica set the merchandising team writes to.
 */
export function buildShop(app: Cdk8sApp): BusinessScenario {
  // The Helm release name of the cluster's kube-prometheus-stack, whose Prometheus selects monitoring objects by it.
  const shop = new BusinessScenario(app, 'shop', {
    owner: 'team-checkout',
    tier: Tier.CRITICAL,
    namespace: 'shop',
    monitoringLabels: { release: 'kube-prometheus-stack' },
  });

  const cartCache = new RedisSentinel(shop, 'cart-cache', { dataClass: DataClass.CACHE, memory: Size.gibibytes(2) });
  const sessions = new RedisSentinel(shop, 'session-store', { dataClass: DataClass.SYSTEM_OF_RECORD });

  const orders = new MysqlReplication(shop, 'orders', { engine: MysqlEngine.MYSQL_8_4, dataClass: DataClass.SYSTEM_OF_RECORD });
  const orderEvents = new KafkaCluster(shop, 'order-events', { dataClass: DataClass.SYSTEM_OF_RECORD });
  const catalog = new MongoReplicaSet(shop, 'catalog', { dataClass: DataClass.SYSTEM_OF_RECORD });

  const cart = defineCart(shop, { cartCache, sessions, orders, orderEvents, catalog });
  for (const store of [cartCache, sessions, orders, orderEvents, catalog]) {
    store.allowFrom(Peer.workload(cart));
  }
  return shop;
}

/** The shop's own workload, hardened the way the checks expect of any workload. */
function defineCart(
  shop: BusinessScenario,
  stores: { cartCache: RedisSentinel; sessions: RedisSentinel; orders: MysqlReplication; orderEvents: KafkaCluster; catalog: MongoReplicaSet },
): kplus.Deployment {
  const labels = {
    'app.kubernetes.io/name': 'cart',
    'app.kubernetes.io/instance': 'cart',
    'app.kubernetes.io/component': 'api',
    'app.kubernetes.io/part-of': 'shop',
    'app.kubernetes.io/managed-by': 'stability-blueprints',
  };
  const { cartCache, sessions, orders, orderEvents, catalog } = stores;
  const cart = new kplus.Deployment(shop, 'cart', {
    metadata: { name: 'cart', labels },
    podMetadata: { labels },
    replicas: 3,
    containers: [
      {
        name: 'cart',
        image: 'registry.example.com/shop/cart:1.4.2',
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        portNumber: 8080,
        securityContext: {
          user: 10001,
          group: 10001,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(250) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
        readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(5) }),
        envVariables: {
          ...cartCache.clientEnv('CART_CACHE_'),
          ...sessions.clientEnv('SESSION_STORE_'),
          ...orders.clientEnv('ORDERS_DB_'),
          ...orderEvents.clientEnv('ORDER_EVENTS_'),
          ...catalog.clientEnv('CATALOG_DB_'),
        },
      },
    ],
  });
  cart.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
  ApiObject.of(cart).addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'stability-blueprints-critical'));

  new k8s.KubePodDisruptionBudget(shop, 'cart-budget', {
    metadata: { name: 'cart-budget', labels },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: cart.matchLabels } },
  });
  const storePorts = (store: RedisSentinel) => [
    { peer: Peer.podsLabelled(store.redis.selector), ports: [store.plan.redisPort] },
    { peer: Peer.podsLabelled(store.sentinel.selector), ports: [store.plan.sentinelPort] },
  ];
  new ComponentNetworkPolicy(shop, 'cart-policy', {
    metadata: { name: 'cart-policy', labels },
    podSelector: cart.matchLabels,
    ingress: [{ peer: Peer.namespacesLabelled({ 'kubernetes.io/metadata.name': 'ingress' }), ports: [8080] }],
    egress: [
      ...storePorts(cartCache),
      ...storePorts(sessions),
      { peer: Peer.podsLabelled(orders.endpoint.selector), ports: [orders.plan.endpoint.readWritePort, orders.plan.endpoint.readOnlyPort] },
      // Clients bootstrap from the Service, then produce to each broker by its advertised name.
      { peer: Peer.podsLabelled(orderEvents.brokers.selector), ports: [KAFKA_CLIENT_PORT] },
      // Drivers connect to the members the set's hello lists, the primary for writes.
      { peer: Peer.podsLabelled(catalog.members.selector), ports: [MONGODB_PORT] },
    ],
    metricsPorts: [],
    monitoring: shop.monitoring,
  });
  return cart;
}

if (require.main === module) {
  const app = new App();
  buildShop(app);
  app.synth();
}
