import { App, Testing } from 'cdk8s';
import { BusinessScenario, BusinessScenarioProps, Tier } from '../../lib';

/** A scenario in a fresh app, as product teams write it. */
export function testScenario(props: Partial<BusinessScenarioProps> = {}, app: App = Testing.app()): BusinessScenario {
  return new BusinessScenario(app, 'shop', { owner: 'team-checkout', tier: Tier.CRITICAL, namespace: 'shop', ...props });
}

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [key: string]: any }; [key: string]: any };

export function findObject(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).join(', ')}`);
  }
  return found;
}
