import { BlueprintKeys } from '../../core/labels';
import { KubeObject, ManifestIndexReader, notApplicable, Rule, RuleOutcome, Severity, Violation } from '../../checks/model';
import { annotation, ContainerAt, containersOf, mountedConfigFiles, plainEnvOf, violation } from '../../checks/pod-helpers';
import { PodTemplate, podTemplateOf } from '../../checks/selectors';
import { replicasOf } from '../../checks/rules/workload-facts';

/** Share of the container memory `maxmemory` may take: the rest covers replica buffers and fork copy-on-write. */
const MAX_MAXMEMORY_SHARE = 0.8;

function commandLine(container: any): string {
  return [...(container?.command ?? []), ...(container?.args ?? [])].join(' ');
}

function runsRedisImage(container: any): boolean {
  const image = String(container?.image ?? '');
  return /redis/.test(image) && !/exporter/.test(image);
}

function isSentinelContainer(container: any): boolean {
  return runsRedisImage(container) && (/sentinel/.test(String(container?.name)) || /sentinel/.test(commandLine(container)));
}

function isRedisServerContainer(container: any): boolean {
  return runsRedisImage(container) && !isSentinelContainer(container);
}

/** Directives of the Redis configuration files a container mounts (the last occurrence wins, as in Redis). */
function redisDirectives(
  object: KubeObject,
  template: PodTemplate,
  container: any,
  index: ManifestIndexReader,
  sentinel: boolean,
): Map<string, string> {
  const directives = new Map<string, string>();
  for (const file of mountedConfigFiles(object, template, container, index)) {
    if (!file.key.endsWith('.conf') || file.key.includes('sentinel') !== sentinel) {
      continue;
    }
    for (const line of file.content.split('\n')) {
      const match = /^\s*([A-Za-z-]+)\s+(.*?)\s*$/.exec(line);
      if (match && !line.trim().startsWith('#')) {
        directives.set(sentinel ? `${match[1]} ${match[2].split(/\s+/)[0]}` : match[1].toLowerCase(), match[2]);
      }
    }
  }
  return directives;
}

/** Bytes of a Redis memory value (`1gb` = 1024^3, `1g` = 1000^3). */
export function redisBytes(value: string): number | undefined {
  const match = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(value.replace(/"/g, '').trim());
  if (!match) {
    return undefined;
  }
  const unit = (match[2] ?? '').toLowerCase();
  const factors: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(match[1]) * factors[unit];
}

/** Bytes of a Kubernetes memory quantity. */
export function quantityBytes(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? ''));
  if (!match) {
    return undefined;
  }
  const factors: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * factors[match[2] ?? ''];
}

function redisServers(object: KubeObject): { template: PodTemplate; containers: ContainerAt[] } | undefined {
  const template = podTemplateOf(object);
  const containers = template ? containersOf(template).filter((at) => !at.init && isRedisServerContainer(at.container)) : [];
  return template && containers.length > 0 ? { template, containers } : undefined;
}

export const REDIS_MIN_REPLICAS_TO_WRITE: Rule = {
  id: 'redis-min-replicas-to-write',
  title: 'A Redis system of record refuses writes no replica has confirmed',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'Without min-replicas-to-write a master cut off from its replicas keeps acknowledging writes that the failover on the other side ' +
    'of the partition discards; no packaging of Redis sets it by default.',
  fix: 'Set min-replicas-to-write 1 (or more) and min-replicas-max-lag below the sentinels down-after-milliseconds, in seconds.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const servers = redisServers(object);
    if (!servers || annotation(object, BlueprintKeys.DATA_CLASS) !== 'system-of-record') {
      return notApplicable(`not a Redis workload annotated ${BlueprintKeys.DATA_CLASS}: system-of-record`);
    }
    return servers.containers.flatMap(({ container, path }) => {
      const directives = redisDirectives(object, servers.template, container, index, false);
      const toWrite = Number(directives.get('min-replicas-to-write') ?? '0');
      const maxLag = Number(directives.get('min-replicas-max-lag') ?? '10');
      const found: Violation[] = [];
      if (!(toWrite >= 1)) {
        found.push(
          violation(path, `min-replicas-to-write is ${directives.get('min-replicas-to-write') ?? 'unset (0)'} in the mounted Redis configuration`),
        );
      }
      if (!(maxLag >= 1)) {
        found.push(violation(path, `min-replicas-max-lag is ${directives.get('min-replicas-max-lag')}: at least 1 second`));
      }
      return found;
    });
  },
};

export const REDIS_MAXMEMORY_HEADROOM: Rule = {
  id: 'redis-maxmemory-headroom',
  title: 'Redis maxmemory leaves headroom below the container memory for forks and replica buffers',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'An AOF rewrite or a full sync forks Redis, and copy-on-write plus replica output buffers can double its footprint; with maxmemory ' +
    'unset or close to the memory limit the kernel OOM-kills the master at the worst moment.',
  fix: `Set maxmemory (in bytes) to at most ${MAX_MAXMEMORY_SHARE * 100}% of the container memory limit; stability-blueprints uses 50%.`,
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const servers = redisServers(object);
    if (!servers) {
      return notApplicable('no Redis server container');
    }
    return servers.containers.flatMap(({ container, path }) => {
      const memory = quantityBytes(container.resources?.limits?.memory ?? container.resources?.requests?.memory);
      const directives = redisDirectives(object, servers.template, container, index, false);
      if (directives.size === 0) {
        return [];
      }
      const maxmemory = redisBytes(directives.get('maxmemory') ?? '0');
      if (!maxmemory) {
        return [violation(path, 'maxmemory is unset: Redis grows until the kernel kills it')];
      }
      if (memory === undefined) {
        return [violation(`${path}.resources`, `maxmemory is ${maxmemory} bytes but the container has no memory limit or request to bound it`)];
      }
      return maxmemory > memory * MAX_MAXMEMORY_SHARE
        ? [violation(path, `maxmemory ${maxmemory} bytes is ${Math.round((maxmemory / memory) * 100)}% of the ${memory}-byte memory limit`)]
        : [];
    });
  },
};

export const SENTINEL_QUORUM_MAJORITY: Rule = {
  id: 'sentinel-quorum-majority',
  title: 'The sentinel quorum is a majority of an odd number of sentinels',
  severity: Severity.ERROR,
  targets: ['StatefulSet', 'Deployment'],
  rationale:
    'A failover needs a majority of the sentinels to authorise it, whatever the quorum; a quorum below the majority lets a minority ' +
    'flag the master as down, and an even number of sentinels tolerates no more losses than one fewer.',
  fix: 'Run 3 or 5 sentinels and set the quorum between a majority and one fewer than all of them.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    const sentinels = template ? containersOf(template).filter((at) => !at.init && isSentinelContainer(at.container)) : [];
    if (!template || sentinels.length === 0) {
      return notApplicable('no Redis Sentinel container');
    }
    const count = replicasOf(object);
    return sentinels.flatMap(({ container, path }) => {
      const monitor = [...redisDirectives(object, template, container, index, true)].find(([key]) => key === 'sentinel monitor');
      const quorum = Number(plainEnvOf(container).QUORUM ?? monitor?.[1].split(/\s+/)[4]);
      if (!Number.isInteger(quorum)) {
        return [violation(path, 'no quorum found (QUORUM variable or a "sentinel monitor" line in the mounted configuration)')];
      }
      const majority = Math.floor(count / 2) + 1;
      const found: Violation[] = [];
      if (count < 3 || count % 2 === 0) {
        found.push(violation('spec.replicas', `${count} sentinels: run an odd number of at least 3`));
      }
      if (quorum < majority || quorum > count - 1) {
        found.push(violation(path, `quorum ${quorum} of ${count} sentinels: allowed from ${majority} (a majority) to ${count - 1}`));
      }
      return found;
    });
  },
};

export const REDIS_RULES: readonly Rule[] = [REDIS_MIN_REPLICAS_TO_WRITE, REDIS_MAXMEMORY_HEADROOM, SENTINEL_QUORUM_MAJORITY];
