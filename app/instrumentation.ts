import { log } from './lib/log';
import { wasLogged } from './lib/request-log';
import { tracingDecisionFromEnv } from './lib/tracing-config';

/*
 * Next.js calls `register()` once when a server instance starts, before it serves, and
 * `onRequestError()` for every error it catches while handling a request (route handlers, pages, server
 * actions, proxy). The types below are the structural equivalent of `Instrumentation.onRequestError` from
 * `next`, written out so that the tests, which run outside the app's dependencies, need no `next`.
 */

/** The request as Next.js describes it to `onRequestError`. */
export interface RequestErrorRequest {
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Where the error happened, as Next.js describes it to `onRequestError`. */
export interface RequestErrorContext {
  readonly routerKind: string;
  /** The route pattern (`/items/[id]`), the `route` of the record. */
  readonly routePath: string;
  readonly routeType: string;
  readonly renderSource?: string;
  readonly revalidateReason?: string;
}

/**
 * Starts tracing in the Node.js runtime when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (see
 * lib/tracing-config.ts); otherwise does nothing. Never throws: the app serves without traces rather
 * than not at all, and says why in an `error` record.
 */
export async function register(): Promise<void> {
  // The documented form: Next.js replaces NEXT_RUNTIME per bundle and drops this block from the edge one.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    try {
      const decision = tracingDecisionFromEnv(process.env);
      if (!decision.enabled) {
        if (decision.misconfigured) {
          log.error(`tracing is off: ${decision.reason}`);
        }
        return;
      }
      const { config } = decision;
      for (const warning of config.warnings) {
        log.warn(`tracing: ${warning}`);
      }
      const { startTracing } = await import('./lib/tracing');
      startTracing(config);
      const sampling =
        config.sampler.kind === 'xray'
          ? `X-Ray rules for ServiceName ${config.serviceName} from ${config.sampler.endpoint}`
          : config.sampler.kind;
      log.info(`tracing: OTLP/gRPC to ${config.endpoint}, service ${config.serviceName}, sampling ${sampling}`);
    } catch (error) {
      log.error('tracing did not start: serving without traces', { error });
    }
  }
}

/**
 * One `error` record per failed request, with `route` = the route pattern and the method, for errors
 * that no route wrapper logged already (withRequestLog logs its own and marks them).
 */
export function onRequestError(error: unknown, request: RequestErrorRequest, errorContext: RequestErrorContext): void {
  try {
    if (wasLogged(error)) {
      return;
    }
    const digest = errorDigest(error);
    const where = [errorContext?.routeType, errorContext?.renderSource].filter(Boolean).join(', ');
    log.error(`unhandled error${where ? ` (${where})` : ''}${digest ? `, digest ${digest}` : ''}`, {
      route: errorContext?.routePath,
      method: request?.method,
      error,
    });
  } catch {
    // Reporting must never add a failure to the one being reported.
  }
}

/** React replaces render errors sent to the browser by a digest; the same digest in the log finds them. */
function errorDigest(error: unknown): string | undefined {
  try {
    const digest = typeof error === 'object' && error !== null ? (error as { digest?: unknown }).digest : undefined;
    return typeof digest === 'string' && digest.length <= 100 ? digest : undefined;
  } catch {
    return undefined;
  }
}
