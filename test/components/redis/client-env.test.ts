import { Testing } from 'cdk8s';
import { join } from 'node:path';
import { App } from '../../../lib';
import { buildShop } from '../../../examples/main';
import { destroyAllClusters, withCluster, assertRedisPodsAvailable } from './harness/cluster';
import { resolveEnv } from '../../support/harness/manifest';
import { expectSuccess } from '../../support/harness/system';

/**
 * The example shop's cart Deployment reaches each of its Redis sets with nothing but the environment it is given
 * (RedisSentinel.clientEnv()): the sets run from the example's own manifests with real redis-server and
 * redis-sentinel processes, and a Sentinel-aware client (fixtures/sentinel-client.sh) runs in the client network
 * with exactly the cart container's variables of that set, the Secrets resolved as the kubelet would.
 */

const CLIENT = join(__dirname, 'fixtures', 'sentinel-client.sh');
const SECRETS = {
  'cart-cache-redis-auth': { password: 'cart+Pa55/"word\\x41=' },
  'session-store-redis-auth': { password: 'session Pa55 word' },
  // The cart's order and catalog database passwords: the kubelet resolves every variable of the container, this test reads the Redis ones.
  'orders-mysql-credentials': { 'application-password': 'orders Pa55 word' },
  'catalog-mongodb-credentials': { 'application-password': 'catalog Pa55 word' },
};

function shopObjects(): any[] {
  const app = new App({ outdir: Testing.app().outdir });
  return Testing.synth(buildShop(app));
}

/** The cart container's variables that start with `prefix`, with the prefix taken off. */
function cartEnv(objects: any[], prefix: string): Record<string, string> {
  const cart = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'cart');
  const env = resolveEnv(cart.spec.template.spec.containers[0], { name: 'cart-7d9f8-x2x4k', namespace: 'shop' }, SECRETS);
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length), value]),
  );
}

beforeAll(() => {
  assertRedisPodsAvailable();
});

afterAll(async () => {
  await destroyAllClusters();
});

describe('the example cart reaches its Redis with the env it is given', () => {
  const objects = shopObjects();

  test.concurrent.each([
    ['cart-cache', 'CART_CACHE_'],
    ['session-store', 'SESSION_STORE_'],
  ])(
    '%s: the sentinels it lists name the master, which takes a write with the password from the Secret',
    async (store, prefix) => {
      // GIVEN
      const env = cartEnv(objects, prefix);
      expect(Object.keys(env).sort()).toEqual(['MASTER_SET', 'PASSWORD', 'SENTINELS']);
      await withCluster({ objects, name: store, secrets: SECRETS }, async (cluster) => {
        await cluster.startAll();
        await cluster.waitForTopology(0, 60_000);

        // WHEN
        const reached = expectSuccess(await cluster.runClient(['sh', CLIENT], { ...env, KEY: 'cart:42', VALUE: 'two mugs' }, 20_000));
        const withoutPassword = Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'PASSWORD'));
        const refused = await cluster.runClient(['sh', CLIENT], { ...withoutPassword, KEY: 'cart:43', VALUE: 'one mug' }, 20_000);

        // THEN
        expect(reached).toBe(`${cluster.redisHost(0)}:${cluster.redisPort}`);
        expect(await cluster.redisCommand(0, 'GET', 'cart:42')).toBe('two mugs');
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('NOAUTH');
      });
    },
    120_000,
  );
});
