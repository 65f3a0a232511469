import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  trace,
  type Attributes,
  type Context,
  type DiagLogger,
  type Link,
  type SpanKind,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { log, setTraceIdSource } from './log';
import type { SamplerConfig, TracingConfig } from './tracing-config';

/*
 * Traces for X-Ray through the collector sidecar: OTLP/gRPC to `config.endpoint`, X-Ray trace ids (the
 * first 8 hex digits are the start time, which X-Ray requires), the `X-Amzn-Trace-Id` propagator, and
 * X-Ray remote sampling (rules and targets from the collector's awsproxy extension, 1 request a second
 * plus 5 % while no rules could be fetched), parent-based.
 *
 * Next.js itself creates the request span (kind SERVER, `GET /route`) and spans for rendering and
 * `fetch`; this module adds client spans for outgoing http (AWS SDK calls), pg and node-redis inside a
 * request. Incoming http is left to Next.js: a second SERVER span per request would make X-Ray draw
 * two segments of the same service.
 */

/** Seams for tests; production uses the defaults. */
export interface TracingDependencies {
  /** @default OTLP/gRPC to config.endpoint */
  readonly spanExporter?: SpanExporter;
  /** @default true */
  readonly instrumentations?: boolean;
}

/** What {@link startTracing} started. */
export interface TracingHandle {
  readonly provider: NodeTracerProvider;
  readonly sampler: Sampler;
  /** Exports what is pending and undoes every global registration (tests, or a clean exit). */
  shutdown(): Promise<void>;
}

const HANDLE = Symbol.for('learning-assistant.tracing');
type Globals = { [HANDLE]?: TracingHandle };

/**
 * Starts tracing for the process and registers it with the OpenTelemetry API, which Next.js and the
 * instrumentations use; the logger then adds the active trace id to each record. A second call returns
 * the running handle.
 */
export function startTracing(config: TracingConfig, dependencies: TracingDependencies = {}): TracingHandle {
  const globals = globalThis as Globals;
  const running = globals[HANDLE];
  if (running) {
    return running;
  }
  diag.setLogger(diagToLog, DiagLogLevel.WARN);
  const resource = resourceFromAttributes({ 'service.name': config.serviceName });
  const sampler = new NextRequestAttributes(createSampler(config.sampler, resource));
  const exporter = dependencies.spanExporter ?? new OTLPTraceExporter({ url: config.endpoint });
  const provider = new NodeTracerProvider({
    resource,
    sampler,
    idGenerator: new AWSXRayIdGenerator(),
    // A task is stopped with SIGTERM and Next.js exits as soon as its requests end: a short delay keeps
    // the spans lost at exit to about a second's worth.
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register({ propagator: new AWSXRayPropagator() });
  const unregister =
    dependencies.instrumentations === false
      ? () => undefined
      : registerInstrumentations({
          tracerProvider: provider,
          instrumentations: [
            // Background calls (credential refreshes) have no parent and stay untraced.
            new HttpInstrumentation({
              disableIncomingRequestInstrumentation: true,
              requireParentforOutgoingSpans: true,
            }),
            new PgInstrumentation({ requireParentSpan: true }),
            new RedisInstrumentation({ requireParentSpan: true }),
          ],
        });
  setTraceIdSource(() => {
    const spanContext = trace.getSpan(context.active())?.spanContext();
    return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  });
  const handle: TracingHandle = {
    provider,
    sampler,
    shutdown: async () => {
      unregister();
      setTraceIdSource(undefined);
      try {
        await provider.shutdown();
      } catch (error) {
        // An unreachable collector must not make stopping fail: the spans are lost either way.
        log.warn(`otel: shutdown: ${diagText(error instanceof Error ? error.message : String(error), [])}`);
      } finally {
        stopSamplerPollers(sampler);
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
        delete globals[HANDLE];
      }
    },
  };
  globals[HANDLE] = handle;
  return handle;
}

/** The root sampler of `config`, parent-based (AWSXRayRemoteSampler is parent-based itself). */
export function createSampler(config: SamplerConfig, resource: Resource): Sampler {
  switch (config.kind) {
    case 'xray':
      return new AWSXRayRemoteSampler({
        resource,
        endpoint: config.endpoint,
        pollingInterval: config.pollingIntervalS,
      });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.ratio) });
  }
}

/**
 * Next.js starts its request span with `http.method` and `http.target` (the older HTTP conventions);
 * the X-Ray sampler matches a rule's `HTTPMethod` and `URLPath` against `http.request.method` and
 * `url.path`. This sampler passes both forms to its delegate, so that rules such as "never trace
 * /api/health*" apply to the requests Next.js traces. The span keeps its own attributes.
 */
export class NextRequestAttributes implements Sampler {
  constructor(readonly delegate: Sampler) {}

  shouldSample(
    parent: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    return this.delegate.shouldSample(parent, traceId, spanName, spanKind, stableHttpAttributes(attributes), links);
  }

  toString(): string {
    return `NextRequestAttributes{${this.delegate.toString()}}`;
  }
}

/** `attributes` plus `url.path` and `http.request.method` derived from `http.target` and `http.method`. */
export function stableHttpAttributes(attributes: Attributes): Attributes {
  const target = attributes['http.target'];
  const method = attributes['http.method'];
  const added: Attributes = {};
  if (attributes['url.path'] === undefined && typeof target === 'string') {
    added['url.path'] = target.split(/[?#]/, 1)[0] || '/';
  }
  if (attributes['http.request.method'] === undefined && typeof method === 'string') {
    added['http.request.method'] = method;
  }
  return Object.keys(added).length > 0 ? { ...attributes, ...added } : attributes;
}

function stopSamplerPollers(sampler: Sampler): void {
  const inner = sampler instanceof NextRequestAttributes ? sampler.delegate : sampler;
  if (inner instanceof AWSXRayRemoteSampler) {
    inner.stopPollers();
  }
}

/*
 * OpenTelemetry's own problems (an unreachable collector or sampling proxy) as log records. At most
 * `warn`: they concern the telemetry pipeline, not requests, and must not count as application errors.
 */
const diagToLog: DiagLogger = {
  error: (message, ...args) => log.warn(`otel: ${diagText(message, args)}`),
  warn: (message, ...args) => log.warn(`otel: ${diagText(message, args)}`),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

/** The SDK's global error handler passes errors as JSON with their stack: keep the message only. */
function diagText(message: string, args: unknown[]): string {
  const details = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : ''));
  return [message, ...details]
    .map((text) => {
      try {
        const parsed: unknown = text.startsWith('{') ? JSON.parse(text) : undefined;
        const inner = (parsed as { message?: unknown } | undefined)?.message;
        return typeof inner === 'string' ? inner : text;
      } catch {
        return text;
      }
    })
    .filter(Boolean)
    .join(' ');
}
