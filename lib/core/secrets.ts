import type { k8s } from 'cdk8s-plus-28';
import { secretEnv } from './container';

/** A key of a Secret the team creates and rotates; the value never appears in a manifest. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

/** Environment variables read from Secret keys, by variable name, none optional: a pod without them must not start. */
export function secretEnvs(references: Record<string, SecretKeyReference>): k8s.EnvVar[] {
  return Object.entries(references).map(([name, reference]) => secretEnv(name, reference.secretName, reference.key));
}
