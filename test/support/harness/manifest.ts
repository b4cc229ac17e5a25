/**
 * Reads what a pod runs from synthesized manifests (`chart.toJson()`), so the harness runs exactly what the
 * construct emits: ConfigMap contents, container command and env, probe and preStop commands, volumes and
 * security context. Nothing here is a hand-written copy of the construct's output.
 */

/** The part of a StatefulSet a harness pod needs. */
export interface Workload {
  readonly kind: 'StatefulSet' | 'Deployment';
  /** The StatefulSet's or Deployment's name; its pods are `<name>-<ordinal>` here (a Deployment's are hashed in Kubernetes). */
  readonly name: string;
  readonly namespace: string;
  /** The StatefulSet's headless Service; empty for a Deployment. */
  readonly serviceName: string;
  readonly replicas: number;
  readonly terminationGracePeriodSeconds: number;
  readonly minReadySeconds: number;
  /** The pod's first container: the server the construct emits first. */
  readonly container: any;
  /** Names of the other containers; a harness pod runs one of them only when asked to (`PodOptions.container`). */
  readonly sidecars: readonly string[];
  /** Names of the init containers, which the harness does not run: `workload()` refuses a workload that has any. */
  readonly initContainers: readonly string[];
  /** Every container of the pod, the first one included. */
  readonly containers: readonly any[];
  /** Pod volumes by name. */
  readonly volumes: Record<string, any>;
  /** Names of the volumeClaimTemplates: volumes that outlive a pod. */
  readonly claimNames: readonly string[];
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly readOnlyRootFilesystem: boolean;
}

export interface Manifest {
  /** ConfigMap data by ConfigMap name. */
  readonly configMaps: Record<string, Record<string, string>>;
  readonly workloads: Record<string, Workload>;
}

export function readManifest(objects: readonly any[]): Manifest {
  const configMaps: Record<string, Record<string, string>> = {};
  const workloads: Record<string, Workload> = {};
  for (const object of objects) {
    if (object.kind === 'ConfigMap') {
      configMaps[object.metadata.name] = { ...object.data };
    } else if (object.kind === 'StatefulSet' || object.kind === 'Deployment') {
      const podSpec = object.spec.template.spec;
      const [container, ...sidecars] = podSpec.containers;
      const podSecurity = podSpec.securityContext ?? {};
      const containerSecurity = container.securityContext ?? {};
      workloads[object.metadata.name] = {
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        serviceName: object.spec.serviceName ?? '',
        replicas: object.spec.replicas,
        terminationGracePeriodSeconds: podSpec.terminationGracePeriodSeconds ?? 30,
        minReadySeconds: object.spec.minReadySeconds ?? 0,
        container,
        sidecars: sidecars.map((sidecar: any) => sidecar.name),
        initContainers: (podSpec.initContainers ?? []).map((init: any) => init.name),
        containers: podSpec.containers,
        volumes: Object.fromEntries((podSpec.volumes ?? []).map((volume: any) => [volume.name, volume])),
        claimNames: (object.spec.volumeClaimTemplates ?? []).map((claim: any) => claim.metadata.name),
        runAsUser: containerSecurity.runAsUser ?? podSecurity.runAsUser ?? 0,
        runAsGroup: containerSecurity.runAsGroup ?? podSecurity.runAsGroup ?? 0,
        fsGroup: podSecurity.fsGroup ?? containerSecurity.runAsGroup ?? 0,
        readOnlyRootFilesystem: containerSecurity.readOnlyRootFilesystem === true,
      };
    }
  }
  return { configMaps, workloads };
}

export function workload(manifest: Manifest, name: string): Workload {
  const found = manifest.workloads[name];
  if (!found) {
    throw new Error(`no StatefulSet or Deployment ${name} in the manifest (have: ${Object.keys(manifest.workloads).join(', ')})`);
  }
  if (found.initContainers.length > 0) {
    throw new Error(`${name}: the harness runs no init containers (${found.initContainers.join(', ')})`);
  }
  return found;
}

/** Secrets the harness stands in for: secret name -> key -> value. */
export type Secrets = Record<string, Record<string, string>>;

/**
 * The container's environment as the kubelet would set it: plain values as written, the downward API's pod name
 * and namespace, and secretKeyRef values from `secrets` (an optional one unset when missing). Anything else is an error, so a new kind of env source
 * is noticed rather than silently dropped.
 */
export function resolveEnv(container: any, pod: { name: string; namespace: string }, secrets: Secrets): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = String(variable.value);
    } else if (variable.valueFrom?.fieldRef) {
      const path = variable.valueFrom.fieldRef.fieldPath;
      if (path === 'metadata.name') {
        env[variable.name] = pod.name;
      } else if (path === 'metadata.namespace') {
        env[variable.name] = pod.namespace;
      } else {
        throw new Error(`env ${variable.name}: the harness does not provide fieldRef ${path}`);
      }
    } else if (variable.valueFrom?.secretKeyRef) {
      const { name, key, optional } = variable.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value === undefined && optional === true) {
        // The kubelet leaves an optional variable unset when its Secret or key is missing.
        continue;
      }
      if (value === undefined) {
        throw new Error(`env ${variable.name}: the test provides no secret ${name} key ${key}`);
      }
      env[variable.name] = value;
    } else {
      throw new Error(`env ${variable.name}: unsupported source ${JSON.stringify(variable.valueFrom)}`);
    }
  }
  return env;
}

/** The exec command of a probe or preStop hook, or an error naming what is missing. */
export function execCommand(handler: any, what: string): string[] {
  const command = handler?.exec?.command;
  if (!Array.isArray(command) || command.length === 0) {
    throw new Error(`the container has no exec ${what}`);
  }
  return command;
}
