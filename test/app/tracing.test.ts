import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../../app/lib/log';
import { stableHttpAttributes, startTracing, type TracingHandle } from '../../app/lib/tracing';

// The tracer as the task runs it, with the collector replaced by an in-memory exporter and the
// collector's X-Ray sampling proxy by a local server serving rules shaped like the infrastructure's
// TraceSampling construct: health checks never traced, everything else of the service always (here),
// X-Ray's own Default rule for other services (here: never).

const SERVICE = 'learning-web';

function samplingRule(name: string, priority: number, serviceName: string, urlPath: string, fixedRate: number) {
  return {
    SamplingRule: {
      RuleName: name,
      Priority: priority,
      FixedRate: fixedRate,
      ReservoirSize: 0,
      ServiceName: serviceName,
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: urlPath,
      ResourceARN: '*',
      Version: 1,
      Attributes: {},
    },
  };
}

let proxy: Server;
let proxyUrl: string;
const proxyRequests: string[] = [];
let handle: TracingHandle | undefined;
let exporter: RecordingExporter;

beforeAll(async () => {
  proxy = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      proxyRequests.push(`${request.method} ${request.url}`);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify(
          request.url === '/GetSamplingRules'
            ? {
                SamplingRuleRecords: [
                  samplingRule('excluded-health', 100, SERVICE, '/api/health*', 0),
                  samplingRule('service-default', 1000, SERVICE, '*', 1),
                  samplingRule('Default', 10000, '*', '*', 0),
                ],
              }
            : { LastRuleModification: 0, SamplingTargetDocuments: [], UnprocessedStatistics: [] },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
});

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

/** Keeps every exported span, also after shutdown (which empties InMemorySpanExporter). */
class RecordingExporter extends InMemorySpanExporter {
  readonly all: ReadableSpan[] = [];
  override export(spans: ReadableSpan[], resultCallback: Parameters<InMemorySpanExporter['export']>[1]): void {
    this.all.push(...spans);
    super.export(spans, resultCallback);
  }
}

/** Starts tracing as `serviceName` and waits until the sampler holds the rules. */
async function start(serviceName: string): Promise<void> {
  exporter = new RecordingExporter();
  const before = proxyRequests.length;
  handle = startTracing(
    {
      endpoint: 'http://127.0.0.1:9',
      serviceName,
      sampler: { kind: 'xray', endpoint: proxyUrl, pollingIntervalS: 300 },
      warnings: [],
    },
    // Jest's module system bypasses require hooks: the instrumentations are checked in a real build.
    { spanExporter: exporter, instrumentations: false },
  );
  for (let i = 0; i < 100 && !proxyRequests.slice(before).includes('POST /GetSamplingRules'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The sampler applies the rules when the response ends, a few ticks after the server sent it.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A request span as Next.js starts it: kind SERVER, the older HTTP attributes. */
function nextRequestSpan(target: string, parent = context.active()): Span {
  return trace
    .getTracer('next.js')
    .startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.target': target } }, parent);
}

async function exported() {
  await handle!.provider.forceFlush();
  return exporter.getFinishedSpans();
}

test('the sampler asks the sampling proxy for rules, and the service rule applies to its requests', async () => {
  await start(SERVICE);
  expect(proxyRequests).toContain('POST /GetSamplingRules');

  const spans = Array.from({ length: 5 }, () => nextRequestSpan('/api/items?page=2'));
  spans.forEach((span) => span.end());

  expect(spans.map((span) => span.spanContext().traceFlags)).toEqual(Array(5).fill(1));
  const finished = await exported();
  expect(finished).toHaveLength(5);
  expect(finished[0].resource.attributes['service.name']).toBe(SERVICE);
});

test("rules match Next.js's request spans by URL path: health checks are never traced", async () => {
  await start(SERVICE);
  // Without the rules, the fallback sampler would trace one request a second: 20 in a row prove the rule.
  const spans = Array.from({ length: 20 }, () => nextRequestSpan('/api/health?probe=liveness'));
  spans.forEach((span) => span.end());
  expect(spans.map((span) => span.spanContext().traceFlags)).toEqual(Array(20).fill(0));
  expect(await exported()).toEqual([]);
});

test("the rules match the ServiceName the SDK reports: another name falls to X-Ray's Default rule", async () => {
  await start('some-other-service');
  const spans = Array.from({ length: 5 }, () => nextRequestSpan('/api/items'));
  spans.forEach((span) => span.end());
  expect(await exported()).toEqual([]);
});

test('trace ids are X-Ray trace ids: the first 8 hex digits are the start time in seconds', async () => {
  await start(SERVICE);
  const before = Math.floor(Date.now() / 1000);
  const span = nextRequestSpan('/api/items');
  span.end();
  const seconds = parseInt(span.spanContext().traceId.slice(0, 8), 16);
  expect(seconds).toBeGreaterThanOrEqual(before);
  expect(seconds).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
});

test('sampling is parent-based, and the X-Amzn-Trace-Id header carries the trace in and out', async () => {
  await start(SERVICE);
  const incoming = propagation.extract(ROOT_CONTEXT, {
    'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  // A sampled caller: the health check request is traced after all, in the caller's trace.
  const span = nextRequestSpan('/api/health', incoming);
  expect(span.isRecording()).toBe(true);
  expect(span.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');

  const outgoing: Record<string, string> = {};
  context.with(trace.setSpan(context.active(), span), () => propagation.inject(context.active(), outgoing));
  expect(outgoing).toEqual({
    'x-amzn-trace-id': `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${span.spanContext().spanId};Sampled=1`,
  });

  const notSampled = propagation.extract(ROOT_CONTEXT, {
    'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
  });
  expect(nextRequestSpan('/api/items', notSampled).isRecording()).toBe(false);
  span.end();
});

test('log records carry the active trace id in X-Ray form, and only while a span is active', async () => {
  await start(SERVICE);
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
  const span = nextRequestSpan('/api/items');
  context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
  logger.info('outside');
  span.end();

  const { traceId } = span.spanContext();
  expect(lines.map((line) => JSON.parse(line).traceId)).toEqual([
    `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`,
    undefined,
  ]);
});

test('shutdown exports what is pending and leaves nothing registered', async () => {
  await start(SERVICE);
  const span = nextRequestSpan('/api/items');
  span.end();
  await handle!.shutdown();
  handle = undefined;

  expect(exporter.all.map((s) => s.spanContext().spanId)).toEqual([span.spanContext().spanId]);
  expect(nextRequestSpan('/api/items').isRecording()).toBe(false);
  expect(propagation.fields()).toEqual([]);
});

describe('stableHttpAttributes', () => {
  test('adds url.path (without query or fragment) and http.request.method for the X-Ray sampler', () => {
    expect(stableHttpAttributes({ 'http.method': 'POST', 'http.target': '/api/health?probe=liveness#x' })).toEqual({
      'http.method': 'POST',
      'http.target': '/api/health?probe=liveness#x',
      'url.path': '/api/health',
      'http.request.method': 'POST',
    });
  });

  test('keeps attributes that are already there, and returns the same object when nothing is added', () => {
    const stable = { 'url.path': '/a', 'http.request.method': 'GET', 'http.target': '/b', 'http.method': 'PUT' };
    expect(stableHttpAttributes(stable)).toBe(stable);
    const internal = { 'next.span_type': 'AppRender.getBodyResult' };
    expect(stableHttpAttributes(internal)).toBe(internal);
  });
});
