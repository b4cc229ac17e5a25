import type { KubeObject, ManifestIndexReader, Violation } from './model';
import { isRecord, PodTemplate, podTemplateOf } from './selectors';

/** Kinds that run pods; most pod rules target them. */
export const POD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;

/** Kinds that keep a set of long-running replicas. */
export const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'] as const;

export interface ContainerAt {
  readonly container: any;
  /** JSON path of the container, e.g. `spec.template.spec.containers[1]`. */
  readonly path: string;
  readonly init: boolean;
}

/** Containers and init containers of a pod template, with their JSON paths. */
export function containersOf(template: PodTemplate): ContainerAt[] {
  const prefix = template.path === '' ? 'spec' : `${template.path}.spec`;
  const list = (field: 'containers' | 'initContainers', init: boolean): ContainerAt[] =>
    Array.isArray(template.spec[field])
      ? template.spec[field].map((container: unknown, index: number) => ({ container, path: `${prefix}.${field}[${index}]`, init }))
      : [];
  return [...list('initContainers', true), ...list('containers', false)];
}

/** JSON path of the pod spec of a template: `spec.template.spec`, or `spec` for a Pod. */
export function podSpecPath(template: PodTemplate): string {
  return template.path === '' ? 'spec' : `${template.path}.spec`;
}

/** Runs `check` on the pod template of a workload; objects without one yield no violation. */
export function withPodTemplate(object: KubeObject, check: (template: PodTemplate) => Violation[]): Violation[] {
  const template = podTemplateOf(object);
  return template ? check(template) : [];
}

export function violation(path: string, message: string): Violation {
  return { path, message };
}

/** Reads an annotation of the object. */
export function annotation(object: KubeObject, key: string): string | undefined {
  return object.metadata?.annotations?.[key];
}

export interface MountedFile {
  readonly configMap: string;
  readonly key: string;
  readonly content: string;
}

/**
 * Files of the ConfigMaps a container mounts, found among the objects checked with it: how a rule reads a
 * component's configuration (redis.conf, my.cnf, server.properties) whoever wrote the manifests.
 */
export function mountedConfigFiles(object: KubeObject, template: PodTemplate, container: any, index: ManifestIndexReader): MountedFile[] {
  const volumes: any[] = Array.isArray(template.spec.volumes) ? template.spec.volumes : [];
  const mounts: any[] = Array.isArray(container?.volumeMounts) ? container.volumeMounts : [];
  const files: MountedFile[] = [];
  for (const mount of mounts) {
    const configMapName = volumes.find((volume) => volume?.name === mount?.name)?.configMap?.name;
    const configMap = typeof configMapName === 'string' ? index.find('ConfigMap', object.metadata?.namespace, configMapName) : undefined;
    for (const [key, content] of Object.entries(configMap?.data ?? {})) {
      if (typeof content === 'string') {
        files.push({ configMap: configMapName, key, content });
      }
    }
  }
  return files;
}

/** A file of a ConfigMap as a container sees it. */
export interface ConfigMapFile {
  readonly configMap: string;
  readonly key: string;
  /** Where the file appears in the container that mounts it. */
  readonly path: string;
  /** The directory the ConfigMap is mounted at, when it is mounted whole (no subPath). */
  readonly directory?: string;
  readonly content: string;
}

/** The files of the ConfigMaps a container mounts, with their paths, honouring `items` and `subPath`. */
export function mountedConfigMapFiles(object: KubeObject, template: PodTemplate, container: any, index: ManifestIndexReader): ConfigMapFile[] {
  const volumes: any[] = Array.isArray(template.spec.volumes) ? template.spec.volumes : [];
  const mounts: any[] = Array.isArray(container?.volumeMounts) ? container.volumeMounts : [];
  const files: ConfigMapFile[] = [];
  for (const mount of mounts) {
    const source = volumes.find((volume) => volume?.name === mount?.name)?.configMap;
    const configMap = typeof source?.name === 'string' ? index.find('ConfigMap', object.metadata?.namespace, source.name) : undefined;
    const data: Record<string, unknown> = isRecord(configMap?.data) ? configMap.data : {};
    const items: [string, string][] = Array.isArray(source?.items)
      ? source.items.map((item: any) => [String(item?.key), String(item?.path)])
      : Object.keys(data).map((key) => [key, key]);
    const mountPath = String(mount?.mountPath ?? '').replace(/\/+$/, '');
    for (const [key, relativePath] of items) {
      const content = data[key];
      if (typeof content !== 'string' || (mount.subPath !== undefined && mount.subPath !== relativePath)) {
        continue;
      }
      const whole = mount.subPath === undefined;
      files.push({
        configMap: source.name,
        key,
        path: whole ? `${mountPath}/${relativePath}` : mountPath,
        directory: whole ? mountPath : undefined,
        content,
      });
    }
  }
  return files;
}

/** A container's plain environment variables. */
export function plainEnvOf(container: any): Record<string, string> {
  const env: any[] = Array.isArray(container?.env) ? container.env : [];
  return Object.fromEntries(env.filter((variable) => typeof variable?.value === 'string').map((variable) => [variable.name, variable.value]));
}

/** One environment variable of a container, in the order Kubernetes applies them (envFrom, then env). */
export interface ContainerVariable {
  readonly name: string;
  /** Undefined when the value comes from an object the checked objects do not hold, or from a field. */
  readonly value: string | undefined;
  readonly fieldPath?: string;
  readonly source: string;
  readonly path: string;
}

export interface ContainerEnvironment {
  readonly variables: readonly ContainerVariable[];
  /** An envFrom whose ConfigMap is not among the checked objects, or a Secret: any variable may come from it. */
  readonly unseen: boolean;
}

export function containerEnvironment(object: KubeObject, at: ContainerAt, index: ManifestIndexReader): ContainerEnvironment {
  const variables: ContainerVariable[] = [];
  let unseen = false;
  const namespace = object.metadata?.namespace;
  (Array.isArray(at.container.envFrom) ? at.container.envFrom : []).forEach((from: any, position: number) => {
    const name = from?.configMapRef?.name;
    const configMap = typeof name === 'string' ? index.find('ConfigMap', namespace, name) : undefined;
    if (!configMap || !isRecord(configMap.data)) {
      unseen = true;
      return;
    }
    for (const [key, value] of Object.entries(configMap.data)) {
      const variable = `${from.prefix ?? ''}${key}`;
      variables.push({
        name: variable,
        value: String(value),
        source: `the ${variable} variable from ConfigMap ${name}`,
        path: `${at.path}.envFrom[${position}]`,
      });
    }
  });
  (Array.isArray(at.container.env) ? at.container.env : []).forEach((variable: any, position: number) => {
    const name = String(variable?.name);
    const path = `${at.path}.env[${position}]`;
    const ref = variable?.valueFrom?.configMapKeyRef;
    if (typeof variable?.value === 'string' || variable?.valueFrom === undefined) {
      variables.push({ name, value: String(variable?.value ?? ''), source: `the ${name} variable`, path });
    } else if (ref) {
      const value = index.find('ConfigMap', namespace, String(ref.name))?.data?.[ref.key];
      const from = `the ${name} variable (ConfigMap ${ref.name} key ${ref.key})`;
      variables.push({ name, value: typeof value === 'string' ? value : undefined, source: from, path });
    } else {
      variables.push({ name, value: undefined, fieldPath: variable.valueFrom.fieldRef?.fieldPath, source: `the ${name} variable`, path });
    }
  });
  return { variables, unseen };
}

/** Names referenced as `$(NAME)` (Kubernetes), `${NAME}` or `$NAME` (shell). */
export function referencedVariables(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map(
      (match) => match[1] ?? match[2] ?? match[3],
    ),
  );
}

/** Variables of the container that hold the pod IP: from status.podIP, or built from such a variable. */
export function podIpVariables(environment: ContainerEnvironment): Map<string, string> {
  const found = new Map<string, string>();
  for (const variable of environment.variables) {
    if (variable.fieldPath === 'status.podIP' || variable.fieldPath === 'status.podIPs') {
      found.set(variable.name, `from ${variable.fieldPath}`);
    }
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const variable of environment.variables) {
      const via = [...referencedVariables(variable.value ?? '')].find((name) => found.has(name));
      if (via && !found.has(variable.name)) {
        found.set(variable.name, `built from ${via}`);
        grew = true;
      }
    }
  }
  return found;
}

/** One element of a container's command or args. */
export interface CommandWord {
  readonly text: string;
  readonly path: string;
  readonly field: 'command' | 'args';
}

export function commandWordsOf(at: ContainerAt): CommandWord[] {
  return (['command', 'args'] as const).flatMap((field) =>
    (Array.isArray(at.container[field]) ? at.container[field] : []).map((word: unknown, position: number) => ({
      text: String(word),
      path: `${at.path}.${field}[${position}]`,
      field,
    })),
  );
}
