import type { k8s } from 'cdk8s-plus-28';

/** The numeric identity the pod's processes run as. */
export interface PodUser {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/** At or above 10000, so the ids never map to a user of the node (kube-score `container-security-context-user-group-id`). */
export const DEFAULT_POD_USER: PodUser = { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 };

/**
 * The pod half of the "restricted" Pod Security Standard.
 *
 * `OnRootMismatch` skips the recursive chown of a large data volume on every restart, which otherwise
 * delays a failed-over node's return by minutes.
 */
export function restrictedPodSecurityContext(user: PodUser): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.runAsUser,
    runAsGroup: user.runAsGroup,
    fsGroup: user.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container half of the "restricted" Pod Security Standard, plus a read-only root filesystem. */
export function restrictedContainerSecurityContext(user: PodUser): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user.runAsUser,
    runAsGroup: user.runAsGroup,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
