import { App, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BusinessScenario, DataClass, Peer, RedisSentinel, Tier } from '../lib';

/**
 * A small shop in the CRITICAL tier: the cart service keeps carts in a cache (losing one costs a shopper a few
 * clicks) and sessions in a system of record (losing one logs a shopper out mid-checkout).
 */
export function buildShop(app: App): BusinessScenario {
  const shop = new BusinessScenario(app, 'shop', { owner: 'team-checkout', tier: Tier.CRITICAL, namespace: 'shop' });

  const cartCache = new RedisSentinel(shop, 'cart-cache', { dataClass: DataClass.CACHE, memory: Size.gibibytes(2) });
  const sessions = new RedisSentinel(shop, 'session-store', { dataClass: DataClass.SYSTEM_OF_RECORD });

  const labels = {
    'app.kubernetes.io/name': 'cart',
    'app.kubernetes.io/instance': 'cart',
    'app.kubernetes.io/component': 'api',
    'app.kubernetes.io/part-of': 'shop',
    'app.kubernetes.io/managed-by': 'stability-blueprints',
  };
  const cart = new kplus.Deployment(shop, 'cart', {
    metadata: { name: 'cart', labels },
    podMetadata: { labels },
    replicas: 3,
    containers: [
      {
        name: 'cart',
        image: 'registry.example.com/shop/cart:1.4.2',
        portNumber: 8080,
        securityContext: { user: 10001, group: 10001 },
        resources: {
          cpu: { request: kplus.Cpu.millis(250) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
        readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(5) }),
        envVariables: {
          CART_CACHE_SENTINELS: kplus.EnvValue.fromValue(`${cartCache.sentinelServiceName}:${cartCache.plan.sentinelPort}`),
          CART_CACHE_MASTER_SET: kplus.EnvValue.fromValue(cartCache.masterSetName),
          SESSION_STORE_SENTINELS: kplus.EnvValue.fromValue(`${sessions.sentinelServiceName}:${sessions.plan.sentinelPort}`),
          SESSION_STORE_MASTER_SET: kplus.EnvValue.fromValue(sessions.masterSetName),
        },
      },
    ],
  });
  cartCache.allowFrom(Peer.workload(cart));
  sessions.allowFrom(Peer.workload(cart));
  return shop;
}

if (require.main === module) {
  const app = new App();
  buildShop(app);
  app.synth();
}
