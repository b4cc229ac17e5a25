import { Chart, Testing } from 'cdk8s';
import { ComponentNetworkPolicy, Peer } from '../../lib';

describe('ComponentNetworkPolicy', () => {
  test('denies by default, admits peers, the monitoring selector on metrics ports and declared clients, and allows DNS egress', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test');
    const policy = new ComponentNetworkPolicy(chart, 'Policy', {
      metadata: { name: 'orders-db' },
      podSelector: { app: 'db' },
      ingress: [{ peer: Peer.podsLabelled({ app: 'db' }), ports: [5000] }],
      egress: [{ peer: Peer.podsLabelled({ app: 'db' }), ports: [5000] }],
      metricsPorts: [9121],
      monitoring: Peer.podsLabelled({ 'app.kubernetes.io/name': 'prometheus' }, { namespaceLabels: {} }),
    });

    // WHEN
    policy.allowFrom(Peer.podsLabelled({ app: 'orders' }, { namespaceLabels: { team: 'checkout' } }), [5000]);
    const [manifest] = Testing.synth(chart);

    // THEN
    expect(manifest.spec).toEqual({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5000 }] },
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: {} } }],
          ports: [{ protocol: 'TCP', port: 9121 }],
        },
        {
          from: [{ podSelector: { matchLabels: { app: 'orders' } }, namespaceSelector: { matchLabels: { team: 'checkout' } } }],
          ports: [{ protocol: 'TCP', port: 5000 }],
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
