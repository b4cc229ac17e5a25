export interface HaproxyTcpPreambleOptions {
  readonly maxConnections: number;
  /** `timeout client` and `timeout server`, in HAProxy's notation, e.g. `1h`. */
  readonly idleTimeout: string;
  /** Why that idle timeout, written as a comment above it. */
  readonly idleTimeoutReason?: string;
}

/**
 * The `global`, `resolvers` and `defaults` sections of a TCP proxy in front of a component's pods, ending in a blank
 * line; the frontends and backends follow.
 *
 * Servers are named by their stable pod DNS names and resolved at run time through the pod's resolv.conf: a
 * rescheduled pod comes back with another address, held for 5 s. No stats socket or pid file, since the root
 * filesystem is read-only. TCP keepalives on both sides notice a dead peer behind an idle connection.
 */
export function haproxyTcpPreamble(options: HaproxyTcpPreambleOptions): string[] {
  return [
    'global',
    '  # Without a stats socket or a pid file: the root filesystem is read-only.',
    `  maxconn ${options.maxConnections}`,
    '',
    'resolvers cluster',
    '  parse-resolv-conf',
    '  resolve_retries 3',
    '  timeout resolve 1s',
    '  timeout retry 1s',
    '  hold valid 5s',
    '  hold other 5s',
    '  hold refused 5s',
    '  hold nx 5s',
    '  hold timeout 5s',
    '  hold obsolete 5s',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout check 2s',
    ...(options.idleTimeoutReason === undefined ? [] : [`  # ${options.idleTimeoutReason}`]),
    `  timeout client ${options.idleTimeout}`,
    `  timeout server ${options.idleTimeout}`,
    '  option clitcpka',
    '  option srvtcpka',
    '',
  ];
}
