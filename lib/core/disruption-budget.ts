/**
 * The number of pods a PodDisruptionBudget lets go at once, derived from the component's quorum:
 * the pods that must stay up for the component to keep serving and deciding.
 */
export function maxUnavailableForQuorum(replicas: number, quorum: number): number {
  return replicas - quorum;
}

/** The smallest majority of `members`. */
export function majority(members: number): number {
  return Math.floor(members / 2) + 1;
}
