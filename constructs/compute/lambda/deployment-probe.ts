/**
 * ECS deployment lifecycle hook: before production traffic moves to a new service revision,
 * probe the revision through the load balancer's test listener (which ECS points at it) and
 * answer ECS with SUCCEEDED, FAILED (ECS rolls back) or IN_PROGRESS (ECS calls again later).
 *
 * Bundled by esbuild into the CDK assembly; no dependencies beyond Node's own `fetch`.
 */

/** What ECS sends at each lifecycle stage (the fields this hook reads). */
export interface LifecycleHookEvent {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  readonly testTrafficWeights?: Record<string, number>;
  readonly productionTrafficWeights?: Record<string, number>;
  /** State handed back from the previous IN_PROGRESS answer. */
  readonly hookDetails?: { readonly attempts?: number | string };
}

/** What ECS expects back. */
export interface LifecycleHookResult {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  readonly callBackDelay?: number;
  readonly hookDetails?: Record<string, string | number>;
}

/** How the probe behaves; from the function's environment. */
export interface ProbeSettings {
  /** URL of the health endpoint behind the test listener. */
  readonly url: string;
  /** Consecutive healthy answers needed in one round. */
  readonly requiredSuccesses: number;
  /** Rounds before giving up and failing the deployment. */
  readonly maxAttempts: number;
  /** Per-request timeout, in milliseconds. */
  readonly timeoutMs: number;
  /** Pause between requests of one round, in milliseconds. */
  readonly intervalMs: number;
  /** Seconds ECS waits before the next round. */
  readonly callBackDelaySeconds: number;
}

/** The outcome of one request. */
export interface ProbeOutcome {
  readonly healthy: boolean;
  readonly detail: string;
}

/** Reads settings from the environment, failing loudly on a missing URL. */
export function settingsFromEnvironment(env: Record<string, string | undefined>): ProbeSettings {
  const url = env.PROBE_URL;
  if (url === undefined || url === '') {
    throw new Error('PROBE_URL is not set');
  }
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${name} must be a non-negative number, got ${env[name]}`);
    }
    return value;
  };
  return {
    url,
    requiredSuccesses: Math.max(1, number('REQUIRED_SUCCESSES', 3)),
    maxAttempts: Math.max(1, number('MAX_ATTEMPTS', 10)),
    timeoutMs: number('TIMEOUT_MS', 5000),
    intervalMs: number('INTERVAL_MS', 1000),
    callBackDelaySeconds: number('CALLBACK_DELAY_SECONDS', 15),
  };
}

/** One GET of the health endpoint: healthy on HTTP 2xx with a JSON body whose `status` is `ok`. */
export async function probeOnce(url: string, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    const text = await response.text();
    if (!response.ok) {
      return { healthy: false, detail: `HTTP ${response.status}: ${text.slice(0, 200)}` };
    }
    const body = JSON.parse(text) as { status?: unknown };
    return body.status === 'ok'
      ? { healthy: true, detail: 'ok' }
      : { healthy: false, detail: `status ${JSON.stringify(body.status)}: ${text.slice(0, 200)}` };
  } catch (error) {
    return { healthy: false, detail: `request failed: ${(error as Error).message}` };
  }
}

/**
 * One round: `requiredSuccesses` consecutive healthy answers succeed; otherwise ask ECS to call
 * again, until `maxAttempts` rounds have failed.
 */
export async function evaluate(
  event: LifecycleHookEvent,
  settings: ProbeSettings,
  probe: (url: string, timeoutMs: number) => Promise<ProbeOutcome> = probeOnce,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<LifecycleHookResult> {
  const attempt = Number(event.hookDetails?.attempts ?? 0) + 1;
  let last: ProbeOutcome = { healthy: false, detail: 'not probed' };
  for (let i = 0; i < settings.requiredSuccesses; i++) {
    if (i > 0) {
      await sleep(settings.intervalMs);
    }
    last = await probe(settings.url, settings.timeoutMs);
    if (!last.healthy) {
      break;
    }
  }
  const log = { revision: event.targetServiceRevisionArn, attempt, healthy: last.healthy, detail: last.detail };
  console.log(JSON.stringify(log));
  if (last.healthy) {
    return { hookStatus: 'SUCCEEDED' };
  }
  if (attempt >= settings.maxAttempts) {
    return { hookStatus: 'FAILED' };
  }
  return {
    hookStatus: 'IN_PROGRESS',
    callBackDelay: settings.callBackDelaySeconds,
    hookDetails: { attempts: attempt },
  };
}

/** Lambda entry point. */
export async function handler(event: LifecycleHookEvent): Promise<LifecycleHookResult> {
  return evaluate(event, settingsFromEnvironment(process.env));
}
