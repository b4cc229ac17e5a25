import { App, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BusinessScenario, DataClass, Peer, RedisSentinel, Tier } from '../lib';

/** A small shop: the cart service keeps carts in a cache and sessions in a system of record, both CRITICAL. */
export function buildShop(app: App): BusinessScenario {
  const shop = new BusinessScenario(app, 'shop', { owner: 'team-checkout', tier: Tier.CRITICAL, namespace: 'shop' });

  const cart = new kplus.Deployment(shop, 'cart', {
    replicas: 3,
    containers: [{ image: 'registry.example.com/shop/cart:1.4.2', portNumber: 8080, securityContext: { user: 10001, group: 10001 } }],
  });

  const cartCache = new RedisSentinel(shop, 'cart-cache', { dataClass: DataClass.CACHE, memory: Size.gibibytes(2) });
  const sessions = new RedisSentinel(shop, 'session-store', { dataClass: DataClass.SYSTEM_OF_RECORD });
  cartCache.allowFrom(Peer.workload(cart));
  sessions.allowFrom(Peer.workload(cart));
  return shop;
}

if (require.main === module) {
  const app = new App();
  buildShop(app);
  app.synth();
}
