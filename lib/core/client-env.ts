import { BlueprintError } from '../errors';

const ENV_PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `prefix`, if the variables a component's `clientEnv(prefix)` names with it are valid environment variable names. */
export function clientEnvPrefix(constructPath: string, prefix: string): string {
  if (!ENV_PREFIX.test(prefix)) {
    throw new BlueprintError(
      constructPath,
      'clientEnv prefix',
      prefix,
      'letters, digits and "_", not starting with a digit, so the variables are valid environment variable names',
    );
  }
  return prefix;
}

/**
 * The host name a client uses for a Service: its full name when the scenario names the namespace, so a workload in
 * another namespace reaches it, and the bare name (the client's own namespace) when it does not.
 */
export function serviceHost(service: string, namespace: string | undefined, clusterDomain: string): string {
  return namespace === undefined ? service : `${service}.${namespace}.svc.${clusterDomain}`;
}
