import { mkdirSync, rmdirSync } from 'node:fs';

const LOCK_ATTEMPT_MILLISECONDS = 5;
const LOCK_WAIT_MILLISECONDS = 30_000;
/** Only for Atomics.wait: a synchronous sleep between two attempts. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes the lock of a stand-in's state file `path` (an atomic mkdir of `<path>.lock`), waiting while another process
 * holds it. The stand-in processes and a test that changes the state between their calls both take it: otherwise a
 * stand-in that read the state before a change would write the old state back over it.
 */
export function lockWorld(path: string): void {
  const deadline = Date.now() + LOCK_WAIT_MILLISECONDS;
  while (!tryLock(path)) {
    if (Date.now() > deadline) throw new Error(`${path}: still locked after ${LOCK_WAIT_MILLISECONDS} ms`);
    Atomics.wait(SLEEPER, 0, 0, LOCK_ATTEMPT_MILLISECONDS);
  }
}

function tryLock(path: string): boolean {
  try {
    mkdirSync(`${path}.lock`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export function unlockWorld(path: string): void {
  rmdirSync(`${path}.lock`);
}
