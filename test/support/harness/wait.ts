/** Bounded waiting helpers: every wait in the harness has a deadline and says what it was waiting for. */

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Pause between two checks. @default 100 */
  readonly intervalMs?: number;
}

export class WaitTimeoutError extends Error {}

/**
 * Calls `check` until it returns something other than undefined, null or false, and returns that. A check that
 * throws counts as "not yet" (the error is kept for the timeout message), so checks may talk to processes that are
 * still starting.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions,
): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) {
        return value;
      }
      last = value;
    } catch (error) {
      last = error;
    }
    const now = Date.now();
    if (now >= deadline) {
      throw new WaitTimeoutError(`timed out after ${now - started} ms waiting for ${what}; last check: ${describeValue(last)}`);
    }
    await sleep(Math.min(interval, Math.max(0, deadline - now)));
  }
}

/** Resolves with the promise's value, or rejects once `timeoutMs` has passed. */
export async function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeValue(value: unknown): string {
  if (value instanceof Error) {
    return `${value.name}: ${value.message}`;
  }
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
