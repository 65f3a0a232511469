/** Result of one dependency check. */
export interface CheckResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

/** How long a health check waits for one dependency before reporting it as failed. */
export const CHECK_TIMEOUT_MS = 2000;

/** Rejects after `ms` if `promise` has not settled; the timer never outlives the race. */
export async function withTimeout<T>(promise: Promise<T>, what: string, ms: number = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `check` and reports its outcome and duration instead of throwing. */
export async function timed(check: () => Promise<void>): Promise<CheckResult> {
  const started = Date.now();
  try {
    await check();
    return { ok: true, latencyMs: Date.now() - started };
  } catch (error) {
    return { ok: false, latencyMs: Date.now() - started, error: errorMessage(error) };
  }
}

/** A readable message for anything thrown (pg and node-redis errors, AggregateError from `net`). */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join('; ');
  }
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}

/** Thrown when the environment does not describe a usable configuration; lists every problem at once. */
export class ConfigurationError extends Error {
  constructor(
    what: string,
    readonly problems: readonly string[],
  ) {
    super(`${what} is not configured: ${problems.join(' ')}`);
    this.name = 'ConfigurationError';
  }
}
