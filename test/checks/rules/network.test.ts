import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../../lib';
import {
  NETWORK_POLICY_SELECTS_PODS,
  POD_NETWORK_POLICY,
  SERVICE_SELECTS_PODS,
  SERVICE_TARGET_PORT_EXISTS,
  SERVICE_TYPE_NOT_NODE_PORT,
} from '../../../lib/checks/rules/network';
import { judge, statefulSet } from '../../support/checks';

function fixture(name: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(__dirname, '../../fixtures/checks', `${name}.yaml`), 'utf8')).map((document) => document.toJS());
}

function find(objects: KubeObject[], kind: string): KubeObject {
  return objects.find((object) => object.kind === kind)!;
}

function networkPolicy(name: string, spec: object): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec };
}

function service(spec: object): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec };
}

describe('pod-network-policy: every pod is isolated by NetworkPolicies for both ingress and egress', () => {
  test('Compliance 1: ingress and egress restricted by two policies, as cdk8s-plus writes them', () => {
    const objects = fixture('deployment-networkpolicy-aggregated');
    expect(judge(POD_NETWORK_POLICY, objects, find(objects, 'Deployment'))).toEqual([]);
  });

  test('Compliance 2: a namespace-wide deny-all policy', () => {
    const denyAll = networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(judge(POD_NETWORK_POLICY, [statefulSet('store'), denyAll])).toEqual([]);
  });

  test('Noncompliance 1: egress left open by a policy without policyTypes', () => {
    expect(judge(POD_NETWORK_POLICY, fixture('deployment-networkpolicy-ingress-only'))).toEqual([
      ': the NetworkPolicies selecting the pods (api) leave egress open',
    ]);
  });

  test('Noncompliance 2: no policy', () => {
    expect(judge(POD_NETWORK_POLICY, [statefulSet('store')])).toEqual([
      ': no NetworkPolicy selects the pods: every pod of the cluster may connect to them, and they to anything',
    ]);
  });

  test('Noncompliance 3: a policy of another namespace', () => {
    const elsewhere = {
      ...networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      metadata: { name: 'default-deny', namespace: 'other' },
    };
    expect(judge(POD_NETWORK_POLICY, [statefulSet('store'), elsewhere])).toEqual([
      ': no NetworkPolicy selects the pods: every pod of the cluster may connect to them, and they to anything',
    ]);
  });
});

describe('network-policy-selects-pods: a NetworkPolicy selects at least one pod of the same manifests', () => {
  test('Compliance: it selects the Deployment pods', () => {
    const objects = fixture('deployment-networkpolicy-aggregated');
    expect(judge(NETWORK_POLICY_SELECTS_PODS, objects, find(objects, 'NetworkPolicy'))).toEqual([]);
  });

  test('Noncompliance: a misspelt label', () => {
    expect(judge(NETWORK_POLICY_SELECTS_PODS, fixture('networkpolicy-targets-pod-no-match'))).toEqual([
      'spec.podSelector: the podSelector {"matchLabels":{"app":"apy"}} selects no pod among the checked objects of namespace shop',
    ]);
  });

  test('Not applicable to an empty podSelector, which selects the whole namespace', () => {
    expect(judge(NETWORK_POLICY_SELECTS_PODS, [networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] })])).toEqual({
      notApplicable: 'an empty podSelector selects every pod of the namespace',
    });
  });
});

describe('service-selects-pods: a Service selects at least one pod of the same manifests', () => {
  test('Compliance: it selects the Deployment pods', () => {
    expect(judge(SERVICE_SELECTS_PODS, fixture('service-targets-pod-match'))).toEqual([]);
  });

  test('Noncompliance: a misspelt label', () => {
    expect(judge(SERVICE_SELECTS_PODS, fixture('service-targets-pod-no-match'))).toEqual([
      'spec.selector: the selector {"app":"apy"} selects no pod among the checked objects of its namespace',
    ]);
  });

  test('Not applicable without a selector', () => {
    expect(judge(SERVICE_SELECTS_PODS, [service({ ports: [{ port: 5432 }] })])).toEqual({
      notApplicable: 'no selector: the endpoints are managed outside the Service',
    });
  });

  test('Not applicable to an ExternalName Service', () => {
    expect(judge(SERVICE_SELECTS_PODS, [service({ type: 'ExternalName', externalName: 'db.example.com' })])).toEqual({
      notApplicable: 'an ExternalName Service selects no pods',
    });
  });
});

describe('service-type-not-node-port: no Service is of type NodePort', () => {
  test('Compliance 1: ClusterIP', () => {
    expect(judge(SERVICE_TYPE_NOT_NODE_PORT, [service({ type: 'ClusterIP', selector: { app: 'api' } })])).toEqual([]);
  });

  test('Compliance 2: LoadBalancer is allowed', () => {
    expect(judge(SERVICE_TYPE_NOT_NODE_PORT, [service({ type: 'LoadBalancer', selector: { app: 'api' } })])).toEqual([]);
  });

  test('Noncompliance: NodePort', () => {
    expect(judge(SERVICE_TYPE_NOT_NODE_PORT, [service({ type: 'NodePort', selector: { app: 'api' } })])).toEqual([
      'spec.type: the Service is of type NodePort: the port opens on every node',
    ]);
  });
});

describe('service-target-port-exists: a named targetPort of a Service is a port name of every workload it selects', () => {
  test('Compliance: the pods declare the name', () => {
    expect(judge(SERVICE_TARGET_PORT_EXISTS, fixture('service-targets-pod-match'))).toEqual([]);
  });

  test('Noncompliance: a name the pods do not declare (a numbered targetPort is not judged)', () => {
    expect(judge(SERVICE_TARGET_PORT_EXISTS, fixture('service-target-port-name-missing'))).toEqual([
      'spec.ports[0].targetPort: targetPort "web" is not a container port name of Deployment api',
    ]);
  });

  test('Not applicable when the Service selects no pod', () => {
    expect(judge(SERVICE_TARGET_PORT_EXISTS, fixture('service-targets-pod-no-match'))).toEqual({
      notApplicable: 'selects no pod among the checked objects (see service-selects-pods)',
    });
  });
});
