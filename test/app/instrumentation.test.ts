import { propagation, trace } from '@opentelemetry/api';
import { onRequestError, register } from '../../app/instrumentation';
import { withRequestLog } from '../../app/lib/request-log';
import { startTracing } from '../../app/lib/tracing';
import { DEFAULT_XRAY_SAMPLING_ENDPOINT, tracingDecisionFromEnv } from '../../app/lib/tracing-config';

// Next.js calls register() once at start and onRequestError() for every error it catches in a route,
// page or server action. Records go to stdout through the process logger.

const ENV_NAMES = [
  'NEXT_RUNTIME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'LOG_LEVEL',
];
let savedEnv: Record<string, string | undefined>;
let write: jest.SpyInstance;

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  ENV_NAMES.forEach((name) => delete process.env[name]);
  write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  write.mockRestore();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
});

const records = () => write.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

/** Whether a tracer provider is registered: with the API's no-op one, spans never record. */
const tracingActive = () => {
  const span = trace.getTracer('probe').startSpan('probe');
  const recording = span.isRecording();
  span.end();
  return recording;
};

const request = { path: '/items/7?x=1', method: 'POST', headers: { host: 'example.com' } };

describe('onRequestError', () => {
  test('an error record with the route pattern and the method', () => {
    const error = new TypeError('cannot read properties of undefined');
    onRequestError(error, request, { routerKind: 'App Router', routePath: '/items/[id]', routeType: 'route' });
    expect(records()).toEqual([
      {
        time: expect.any(String),
        level: 'error',
        msg: 'unhandled error (route)',
        route: '/items/[id]',
        method: 'POST',
        error: { name: 'TypeError', message: 'cannot read properties of undefined', stack: error.stack },
      },
    ]);
  });

  test('a render error names where it happened and the digest React shows the browser', () => {
    const error = Object.assign(new Error('page boom'), { digest: '1126520447' });
    onRequestError(error, request, {
      routerKind: 'App Router',
      routePath: '/dashboard',
      routeType: 'render',
      renderSource: 'react-server-components',
      revalidateReason: undefined,
    });
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'unhandled error (render, react-server-components), digest 1126520447',
        route: '/dashboard',
      }),
    ]);
  });

  test('an error already logged by withRequestLog is not counted twice', async () => {
    const error = new Error('once');
    const handler = withRequestLog('/api/once', async () => {
      throw error;
    });
    await expect(handler(new Request('http://localhost/api/once'))).rejects.toBe(error);
    onRequestError(
      error,
      { ...request, method: 'GET' },
      { routerKind: 'App Router', routePath: '/api/once', routeType: 'route' },
    );
    expect(records().filter((r) => r.level === 'error')).toEqual([
      expect.objectContaining({ msg: 'request', route: '/api/once', status: 500 }),
    ]);
  });

  test('never throws, even with what Next.js should never pass', () => {
    expect(() => onRequestError('a string', undefined as never, undefined as never)).not.toThrow();
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'unhandled error',
        error: { name: 'NonError', message: 'a string' },
      }),
    ]);
  });
});

describe('register', () => {
  afterEach(async () => {
    // A test that started tracing leaves nothing registered for the next one.
    const running = (globalThis as Record<symbol, { shutdown(): Promise<void> } | undefined>)[
      Symbol.for('learning-assistant.tracing')
    ];
    await running?.shutdown();
  });

  test('without OTEL_EXPORTER_OTLP_ENDPOINT it does nothing, silently', async () => {
    process.env.NEXT_RUNTIME = 'nodejs';
    await expect(register()).resolves.toBeUndefined();
    expect(records()).toEqual([]);
    expect(tracingActive()).toBe(false);
  });

  test.each([
    ['the edge runtime', { NEXT_RUNTIME: 'edge' }],
    ['an unknown runtime (build, tests)', {}],
    ['OTEL_SDK_DISABLED=true', { NEXT_RUNTIME: 'nodejs', OTEL_SDK_DISABLED: 'true' }],
  ])('with the endpoint but %s it does nothing', async (_what, env) => {
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', ...env });
    await expect(register()).resolves.toBeUndefined();
    expect(records()).toEqual([]);
    expect(tracingActive()).toBe(false);
  });

  test('an endpoint that is not a URL: no tracing, an error record saying why, no throw', async () => {
    Object.assign(process.env, { NEXT_RUNTIME: 'nodejs', OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317' });
    await expect(register()).resolves.toBeUndefined();
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'tracing is off: OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4317 is not an http(s) URL (e.g. http://localhost:4317)',
      }),
    ]);
    expect(tracingActive()).toBe(false);
  });

  test('with the endpoint in the Node.js runtime it starts tracing and says so', async () => {
    Object.assign(process.env, {
      NEXT_RUNTIME: 'nodejs',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_SERVICE_NAME: 'learning-web',
      // No sampling proxy here: a local sampler keeps the test off the network.
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_TRACES_SAMPLER_ARG: 'ignored',
    });
    await expect(register()).resolves.toBeUndefined();
    expect(tracingActive()).toBe(true);
    expect(propagation.fields()).toEqual(['x-amzn-trace-id']);
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'tracing: OTLP/gRPC to http://127.0.0.1:9, service learning-web, sampling parentbased_always_on',
      }),
    ]);
    // The running handle is a singleton: a second start changes nothing.
    const handle = startTracing({
      endpoint: 'http://other:1',
      serviceName: 'other',
      sampler: { kind: 'parentbased_always_off' },
      warnings: [],
    });
    await handle.shutdown();
    expect(tracingActive()).toBe(false);
  });
});

describe('tracingDecisionFromEnv', () => {
  test('defaults: service web, X-Ray sampling through the collector on localhost:2000 every 5 minutes', () => {
    expect(tracingDecisionFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' })).toEqual({
      enabled: true,
      config: {
        endpoint: 'http://localhost:4317',
        serviceName: 'web',
        sampler: { kind: 'xray', endpoint: DEFAULT_XRAY_SAMPLING_ENDPOINT, pollingIntervalS: 300 },
        warnings: [],
      },
    });
    expect(DEFAULT_XRAY_SAMPLING_ENDPOINT).toBe('http://localhost:2000');
  });

  test('OTEL_SERVICE_NAME and the X-Ray sampler argument', () => {
    const decision = tracingDecisionFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: ' http://localhost:4317 ',
      OTEL_SERVICE_NAME: ' learning-web ',
      OTEL_TRACES_SAMPLER: 'XRAY',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:2000/, polling_interval=60',
    });
    expect(decision).toEqual({
      enabled: true,
      config: expect.objectContaining({
        endpoint: 'http://localhost:4317',
        serviceName: 'learning-web',
        sampler: { kind: 'xray', endpoint: 'http://127.0.0.1:2000', pollingIntervalS: 60 },
      }),
    });
  });

  test.each<[string, NodeJS.ProcessEnv, object, string[]]>([
    [
      'an unknown sampler',
      { OTEL_TRACES_SAMPLER: 'always_on' },
      { kind: 'xray', endpoint: 'http://localhost:2000', pollingIntervalS: 300 },
      ['OTEL_TRACES_SAMPLER=always_on is not supported'],
    ],
    [
      'bad X-Ray arguments',
      { OTEL_TRACES_SAMPLER_ARG: 'endpoint=localhost:2000,polling_interval=5,colour=blue' },
      { kind: 'xray', endpoint: 'http://localhost:2000', pollingIntervalS: 300 },
      ["part 'endpoint=localhost:2000' ignored", "part 'polling_interval=5' ignored", "part 'colour=blue' ignored"],
    ],
    [
      'a ratio out of range',
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' },
      { kind: 'parentbased_traceidratio', ratio: 1 },
      ['OTEL_TRACES_SAMPLER_ARG=1.5 is not a ratio from 0 to 1'],
    ],
  ])('%s warns and falls back', (_what, env, sampler, warnings) => {
    const decision = tracingDecisionFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', ...env });
    if (!decision.enabled) {
      throw new Error('tracing should be on');
    }
    expect(decision.config.sampler).toEqual(sampler);
    expect(decision.config.warnings).toHaveLength(warnings.length);
    warnings.forEach((warning, i) => expect(decision.config.warnings[i]).toContain(warning));
  });

  test('a valid ratio', () => {
    const decision = tracingDecisionFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(decision).toMatchObject({ enabled: true, config: { sampler: { ratio: 0.25 }, warnings: [] } });
  });

  test.each<[NodeJS.ProcessEnv, boolean]>([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://localhost:4317' }, true],
  ])('off for %p (misconfigured: %p)', (env, misconfigured) => {
    expect(tracingDecisionFromEnv(env)).toEqual({ enabled: false, reason: expect.any(String), misconfigured });
  });
});
