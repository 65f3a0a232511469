/*
 * What the tracing module reads from the environment. Kept apart from tracing.ts so that
 * instrumentation.ts can decide whether to start tracing without loading OpenTelemetry.
 *
 * | Variable                      | Meaning                                                                   |
 * | ----------------------------- | ------------------------------------------------------------------------- |
 * | `OTEL_EXPORTER_OTLP_ENDPOINT` | OTLP/gRPC endpoint (the collector sidecar); unset = no tracing at all     |
 * | `OTEL_SDK_DISABLED`           | `true` turns tracing off even with an endpoint                            |
 * | `OTEL_SERVICE_NAME`           | `service.name`, which X-Ray sampling rules match (`ServiceName`); `web`   |
 * | `OTEL_TRACES_SAMPLER`         | `xray` (default), `parentbased_always_on`, `parentbased_always_off`,      |
 * |                               | `parentbased_traceidratio`                                                |
 * | `OTEL_TRACES_SAMPLER_ARG`     | xray: `endpoint=http://localhost:2000,polling_interval=300` (either part  |
 * |                               | optional); parentbased_traceidratio: a ratio from 0 to 1                  |
 */

/** Where the X-Ray remote sampler asks for rules and targets: the collector's awsproxy extension. */
export const DEFAULT_XRAY_SAMPLING_ENDPOINT = 'http://localhost:2000';
/** Seconds between two rule polls: the X-Ray daemon's and the sampler's default. */
export const DEFAULT_RULES_POLLING_INTERVAL_S = 300;
/** The sampler refuses intervals below 10 s (it falls back to 300 s). */
const MIN_RULES_POLLING_INTERVAL_S = 10;
export const DEFAULT_SERVICE_NAME = 'web';

/** How root spans are sampled; every choice follows the parent's decision for child spans. */
export type SamplerConfig =
  | { readonly kind: 'xray'; readonly endpoint: string; readonly pollingIntervalS: number }
  | { readonly kind: 'parentbased_always_on' }
  | { readonly kind: 'parentbased_always_off' }
  | { readonly kind: 'parentbased_traceidratio'; readonly ratio: number };

/** The tracing settings. */
export interface TracingConfig {
  /** OTLP/gRPC endpoint, e.g. `http://localhost:4317`. */
  readonly endpoint: string;
  readonly serviceName: string;
  readonly sampler: SamplerConfig;
  /** Settings that were ignored (and why); the caller logs them. */
  readonly warnings: readonly string[];
}

/** Why tracing is off, when it is. */
export type TracingDecision =
  | { readonly enabled: true; readonly config: TracingConfig }
  | { readonly enabled: false; readonly reason: string; readonly misconfigured: boolean };

/**
 * Reads the tracing settings. Tracing is off without `OTEL_EXPORTER_OTLP_ENDPOINT` (not a problem: the
 * task definition sets it only when tracing is on), with `OTEL_SDK_DISABLED=true`, or with an endpoint
 * that is not an http(s) URL (`misconfigured`). An unknown sampler setting only warns and falls back to
 * the X-Ray sampler: a typo must not stop the app or tracing.
 */
export function tracingDecisionFromEnv(env: NodeJS.ProcessEnv = process.env): TracingDecision {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) {
    return { enabled: false, reason: 'OTEL_EXPORTER_OTLP_ENDPOINT is not set', misconfigured: false };
  }
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true', misconfigured: false };
  }
  if (!isHttpUrl(endpoint)) {
    return {
      enabled: false,
      reason: `OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint} is not an http(s) URL (e.g. http://localhost:4317)`,
      misconfigured: true,
    };
  }
  const warnings: string[] = [];
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME;
  const sampler = samplerFromEnv(env, warnings);
  return { enabled: true, config: { endpoint, serviceName, sampler, warnings } };
}

function samplerFromEnv(env: NodeJS.ProcessEnv, warnings: string[]): SamplerConfig {
  const kind = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'xray';
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim() ?? '';
  switch (kind) {
    case 'xray':
      return xraySampler(arg, warnings);
    case 'parentbased_always_on':
    case 'parentbased_always_off':
      return { kind };
    case 'parentbased_traceidratio': {
      const ratio = Number(arg);
      if (arg === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
        warnings.push(`OTEL_TRACES_SAMPLER_ARG=${arg} is not a ratio from 0 to 1: sampling every root span`);
        return { kind, ratio: 1 };
      }
      return { kind, ratio };
    }
    default:
      warnings.push(
        `OTEL_TRACES_SAMPLER=${kind} is not supported (xray, parentbased_always_on, parentbased_always_off, ` +
          'parentbased_traceidratio): using xray',
      );
      return xraySampler('', warnings);
  }
}

/** `endpoint=<url>,polling_interval=<seconds>`, the ADOT SDKs' form of the X-Ray sampler's argument. */
function xraySampler(arg: string, warnings: string[]): SamplerConfig {
  let endpoint = DEFAULT_XRAY_SAMPLING_ENDPOINT;
  let pollingIntervalS = DEFAULT_RULES_POLLING_INTERVAL_S;
  for (const part of arg
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, ...rest] = part.split('=');
    const value = rest.join('=').trim();
    if (key.trim() === 'endpoint' && isHttpUrl(value)) {
      endpoint = value.replace(/\/+$/, '');
    } else if (key.trim() === 'polling_interval' && Number(value) >= MIN_RULES_POLLING_INTERVAL_S) {
      pollingIntervalS = Number(value);
    } else {
      warnings.push(
        `OTEL_TRACES_SAMPLER_ARG part '${part}' ignored: use endpoint=<http(s) URL> and ` +
          `polling_interval=<seconds, ${MIN_RULES_POLLING_INTERVAL_S} or more>`,
      );
    }
  }
  return { kind: 'xray', endpoint, pollingIntervalS };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
