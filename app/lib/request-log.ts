import { log as processLog, type Logger, type LogLevel } from './log';

/*
 * One `msg: "request"` record per route handler call, with route, method, status and durationMs: the
 * line the "slowest requests" query sorts and the "errors by route" query counts.
 *
 * Levels: 5xx and thrown errors `error` (the metric filter counts them), 4xx `warn` (a client's mistake,
 * visible but not an alarm), the rest `info` or the route's `successLevel`.
 *
 * `durationMs` runs until the handler returns its Response: a streamed body may still be sending.
 */

/** Options of {@link withRequestLog}. */
export interface RequestLogOptions {
  /**
   * Level of responses below 400, e.g. `debug` for a health check that load balancers call every few
   * seconds (4xx and 5xx keep their levels).
   *
   * @default 'info'
   */
  readonly successLevel?: LogLevel;
  /** @default the process's logger */
  readonly logger?: Logger;
  /** Milliseconds from an arbitrary origin. @default performance.now */
  readonly clock?: () => number;
}

/** The level of a request record for `status`. */
export function requestLevel(status: number, successLevel: LogLevel = 'info'): LogLevel {
  if (status >= 500) {
    return 'error';
  }
  if (status >= 400) {
    return 'warn';
  }
  return successLevel;
}

/*
 * Errors already in a record: Next.js hands the same error to instrumentation's onRequestError, which
 * skips these so that one failed request is one error event. A registry on globalThis, because Next.js
 * bundles routes and instrumentation.ts separately (each with its own copy of this module).
 */
const LOGGED_ERRORS = Symbol.for('learning-assistant.log.logged-errors');
type Globals = { [LOGGED_ERRORS]?: WeakSet<object> };

function loggedErrors(): WeakSet<object> {
  const globals = globalThis as Globals;
  globals[LOGGED_ERRORS] ??= new WeakSet<object>();
  return globals[LOGGED_ERRORS];
}

/** Records that `error` was logged (objects only: a thrown string cannot be marked). */
export function markLogged(error: unknown): void {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    loggedErrors().add(error);
  }
}

/** Whether a record already holds `error`. */
export function wasLogged(error: unknown): boolean {
  return ((typeof error === 'object' && error !== null) || typeof error === 'function') && loggedErrors().has(error);
}

/**
 * Next.js ends `redirect()`, `notFound()`, `forbidden()`... and its own rendering bail-outs by throwing
 * an error with a string `digest`; they are answers, not failures. Returns the status such an error
 * stands for (redirects and HTTP fallbacks), `null` for another Next.js signal, undefined for a real error.
 */
export function nextControlFlowStatus(error: unknown): number | null | undefined {
  let digest: unknown;
  try {
    digest = typeof error === 'object' && error !== null ? (error as { digest?: unknown }).digest : undefined;
  } catch {
    return undefined;
  }
  if (typeof digest !== 'string' || !isNextDigest(digest)) {
    return undefined;
  }
  const parts = digest.split(';');
  // NEXT_REDIRECT;<type>;<url>;<status>; (the url may itself contain ';')
  const status =
    parts[0] === 'NEXT_REDIRECT'
      ? Number(parts.at(-2))
      : parts[0] === 'NEXT_HTTP_ERROR_FALLBACK'
        ? Number(parts[1])
        : Number.NaN;
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : null;
}

function isNextDigest(digest: string): boolean {
  return (
    digest.startsWith('NEXT_') ||
    ['DYNAMIC_SERVER_USAGE', 'BAILOUT_TO_CLIENT_SIDE_RENDERING', 'HANGING_PROMISE_REJECTION'].includes(digest)
  );
}

/**
 * Wraps a route handler (`export const GET = withRequestLog('/api/items', async (request) => ...)`):
 * logs each call's outcome, and a thrown error (status 500, with the error) before rethrowing it so that
 * Next.js still answers as it would without the wrapper.
 *
 * @param route the route pattern (`/api/items/[id]`), not the URL: the "errors by route" query groups by it
 */
export function withRequestLog<A extends [Request, ...unknown[]]>(
  route: string,
  handler: (...args: A) => Response | Promise<Response>,
  options: RequestLogOptions = {},
): (...args: A) => Promise<Response> {
  const logger = options.logger ?? processLog;
  const clock = options.clock ?? (() => performance.now());
  const successLevel = options.successLevel ?? 'info';
  return async (...args: A): Promise<Response> => {
    const started = clock();
    const method = requestMethod(args[0]);
    const durationMs = () => Math.round((clock() - started) * 10) / 10;
    let response: Response;
    try {
      response = await handler(...args);
    } catch (error) {
      const status = nextControlFlowStatus(error);
      if (status === undefined) {
        logger.error('request', { route, method, status: 500, durationMs: durationMs(), error });
        markLogged(error);
      } else if (status !== null) {
        logger[requestLevel(status, successLevel)]('request', { route, method, status, durationMs: durationMs() });
      }
      throw error;
    }
    const status = responseStatus(response);
    logger[requestLevel(status ?? 200, successLevel)]('request', { route, method, status, durationMs: durationMs() });
    return response;
  };
}

function requestMethod(request: Request | undefined): string | undefined {
  try {
    return typeof request?.method === 'string' ? request.method : undefined;
  } catch {
    return undefined;
  }
}

function responseStatus(response: unknown): number | undefined {
  try {
    const status = (response as { status?: unknown } | undefined)?.status;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}
