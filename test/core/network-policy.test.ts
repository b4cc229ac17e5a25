import { Chart, Testing } from 'cdk8s';
import { ComponentNetworkPolicy, Peer } from '../../lib';

describe('ComponentNetworkPolicy', () => {
  test('denies by default, admits listed peers on their ports, and allows DNS egress', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test');
    const policy = new ComponentNetworkPolicy(chart, 'Policy', {
      metadata: { name: 'orders-db' },
      podSelector: { app: 'db' },
      ingress: [{ peer: Peer.podsLabelled({ app: 'db' }), ports: [5000] }],
      egress: [{ peer: Peer.podsLabelled({ app: 'db' }), ports: [5000] }],
    });

    // WHEN
    policy.allowFrom(Peer.podsLabelled({ app: 'orders' }, { namespaceLabels: { team: 'checkout' } }), [5000]);
    policy.allowFrom(Peer.podsLabelled({ 'app.kubernetes.io/name': 'prometheus' }, { namespaceLabels: {} }), [9121]);
    const [manifest] = Testing.synth(chart);

    // THEN
    expect(manifest.spec).toEqual({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5000 }] },
        {
          from: [{ podSelector: { matchLabels: { app: 'orders' } }, namespaceSelector: { matchLabels: { team: 'checkout' } } }],
          ports: [{ protocol: 'TCP', port: 5000 }],
        },
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: {} } }],
          ports: [{ protocol: 'TCP', port: 9121 }],
        },
      ],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5000 }] },
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
  });
});
