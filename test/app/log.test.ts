import {
  createLogger,
  formatRecord,
  levelFromEnv,
  log,
  serializeError,
  setTraceIdSource,
  xrayTraceId,
  type LogLevel,
  type LoggerOptions,
} from '../../app/lib/log';

// The record fields are a contract with the infrastructure: a metric filter counts `{ $.level = "error" }`,
// Logs Insights sorts `msg = "request"` by `durationMs` and counts errors by `route`. One record must be
// one line (one CloudWatch event) of valid JSON whatever is logged.

const NOW = new Date('2026-03-04T05:06:07.089Z');
const OTEL_TRACE_ID = '5759e988bd862e3fe1be46a994272793';

function capture(options: Omit<LoggerOptions, 'sink'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ now: () => NOW, level: 'debug', ...options, sink: (line) => lines.push(line) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('record shape', () => {
  test('every field of the contract, with these names and types, on one line', () => {
    const { logger, lines, records } = capture({ traceId: () => OTEL_TRACE_ID });
    const error = new TypeError('bad input');
    logger.error('request', { route: '/api/items/[id]', method: 'POST', status: 500, durationMs: 12.3, error });

    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].slice(0, -1)).not.toContain('\n');
    expect(records()[0]).toEqual({
      time: '2026-03-04T05:06:07.089Z',
      level: 'error',
      msg: 'request',
      route: '/api/items/[id]',
      method: 'POST',
      status: 500,
      durationMs: 12.3,
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      error: { name: 'TypeError', message: 'bad input', stack: error.stack },
    });
  });

  test('optional fields are absent, not null, when not given; the level is the method called', () => {
    const { logger, records } = capture();
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(records()).toEqual(
      (['debug', 'info', 'warn', 'error'] as const).map((level, i) => ({
        time: NOW.toISOString(),
        level,
        msg: 'abcd'[i],
      })),
    );
  });

  test('fields outside the contract are not written, and non-numeric status or duration are dropped', () => {
    const { logger, records } = capture();
    logger.info('x', { status: Number.NaN, durationMs: Infinity, user: 'secret' } as never);
    expect(records()[0]).toEqual({ time: NOW.toISOString(), level: 'info', msg: 'x' });
  });

  test('the process logger writes to stdout', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const before = process.env.LOG_LEVEL;
    delete process.env.LOG_LEVEL;
    try {
      log.info('to stdout', { route: '/r' });
      expect(write).toHaveBeenCalledTimes(1);
      const line = String(write.mock.calls[0][0]);
      expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'to stdout', route: '/r' });
    } finally {
      write.mockRestore();
      restoreEnv('LOG_LEVEL', before);
    }
  });
});

describe('LOG_LEVEL', () => {
  test.each<[string | undefined, LogLevel]>([
    [undefined, 'info'],
    ['', 'info'],
    ['debug', 'debug'],
    ['WARN', 'warn'],
    [' error ', 'error'],
  ])('LOG_LEVEL=%p gives %s', (value, level) => {
    expect(levelFromEnv(value === undefined ? {} : { LOG_LEVEL: value })).toEqual({ level });
  });

  test('an unknown value falls back to info and is reported', () => {
    expect(levelFromEnv({ LOG_LEVEL: 'verbose' })).toEqual({ level: 'info', invalid: 'verbose' });
  });

  test('records below the threshold are not written; at and above it they are', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r.msg)).toEqual(['w', 'e']);
    expect(logger.enabled('info')).toBe(false);
    expect(logger.enabled('error')).toBe(true);
  });

  test('the process threshold follows LOG_LEVEL; an unknown value warns once and logs at info', () => {
    const { logger, records } = capture({ level: undefined });
    const before = process.env.LOG_LEVEL;
    try {
      process.env.LOG_LEVEL = 'error';
      logger.warn('hidden');
      logger.error('shown');
      process.env.LOG_LEVEL = 'loud';
      logger.debug('hidden too');
      logger.info('info again');
      logger.info('and again');
    } finally {
      restoreEnv('LOG_LEVEL', before);
    }
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ['error', 'shown'],
      ['warn', 'LOG_LEVEL=loud is not a level: use debug, info, warn or error; logging at info'],
      ['info', 'info again'],
      ['info', 'and again'],
    ]);
  });
});

describe('traceId', () => {
  test('X-Ray form of the active trace id', () => {
    expect(xrayTraceId(OTEL_TRACE_ID)).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  test.each([undefined, '', '0'.repeat(32), 'xyz', OTEL_TRACE_ID.toUpperCase(), OTEL_TRACE_ID + '0'])(
    'no X-Ray id for %p',
    (id) => {
      expect(xrayTraceId(id)).toBeUndefined();
    },
  );

  test('absent without an active span, or when the source fails', () => {
    const { logger, records } = capture({ traceId: () => undefined });
    logger.info('none');
    const failing = capture({
      traceId: () => {
        throw new Error('no context');
      },
    });
    failing.logger.info('still logged');
    expect(records()[0]).not.toHaveProperty('traceId');
    expect(failing.records()).toEqual([{ time: NOW.toISOString(), level: 'info', msg: 'still logged' }]);
  });

  test('the process-wide source set by the tracing module is used by every logger', () => {
    const { logger, records } = capture();
    setTraceIdSource(() => OTEL_TRACE_ID);
    try {
      logger.info('with');
    } finally {
      setTraceIdSource(undefined);
    }
    logger.info('without');
    expect(records().map((r) => r.traceId)).toEqual(['1-5759e988-bd862e3fe1be46a994272793', undefined]);
  });
});

describe('error serialization', () => {
  test('name, message and stack of an Error subclass', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const error = new QuotaError('over quota');
    expect(serializeError(error)).toEqual({ name: 'QuotaError', message: 'over quota', stack: error.stack });
  });

  test('an AggregateError without a message shows its reasons', () => {
    const error = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ETIMEDOUT')]);
    expect(serializeError(error)).toMatchObject({
      name: 'AggregateError',
      message: 'connect ECONNREFUSED ::1:5432; connect ETIMEDOUT',
    });
  });

  test.each<[string, unknown, object]>([
    ['a string', 'boom', { name: 'NonError', message: 'boom' }],
    ['a number', 42, { name: 'NonError', message: '42' }],
    ['a BigInt', 10n, { name: 'NonError', message: '10n' }],
    ['null', null, { name: 'NonError', message: 'null' }],
    ['a plain object', { code: 'E1', big: 1n }, { name: 'NonError', message: '{"code":"E1","big":"1n"}' }],
  ])('%s thrown is still a record', (_what, thrown, expected) => {
    expect(serializeError(thrown)).toEqual(expected);
  });
});

describe('never throws', () => {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const throwingGetters = Object.defineProperty(new Error('x'), 'message', {
    get() {
      throw new Error('getter');
    },
  });
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      has() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
    },
  );

  test.each<[string, unknown]>([
    ['a circular object', circular],
    ['an error whose message getter throws', throwingGetters],
    [
      'an object whose toJSON throws',
      {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
    ],
    ['a null-prototype object', Object.create(null)],
    ['a proxy that throws on every access', hostile],
    ['a symbol', Symbol('s')],
  ])('with %s as error or message, one valid line', (_what, value) => {
    const { logger, lines, records } = capture();
    expect(() => logger.error(value as string, { error: value })).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(records()[0]).toMatchObject({
      level: 'error',
      error: expect.objectContaining({ name: expect.any(String) }),
    });
  });

  test('a circular object is written with the cycle marked', () => {
    expect(serializeError(circular).message).toBe('{"name":"loop","self":"[Circular]"}');
  });

  test('a failing sink or clock loses the line, not the request', () => {
    const sinkFails = createLogger({
      level: 'debug',
      sink: () => {
        throw new Error('EPIPE');
      },
    });
    const clockFails = createLogger({
      level: 'debug',
      sink: () => undefined,
      now: () => {
        throw new Error('clock');
      },
    });
    expect(() => sinkFails.error('x')).not.toThrow();
    expect(() => clockFails.error('x')).not.toThrow();
  });

  test('null fields from untyped callers are ignored', () => {
    expect(JSON.parse(formatRecord('info', 'm', null as never, NOW))).toEqual({
      time: NOW.toISOString(),
      level: 'info',
      msg: 'm',
    });
  });
});

describe('one CloudWatch event per record', () => {
  // Docker splits lines above 16 KiB; awslogs in non-blocking mode sends the parts as separate events.
  const LIMIT = 16_000;

  test('a huge message and stack are cut so that the line stays one valid JSON event', () => {
    const error = new Error('m'.repeat(50_000));
    error.stack = 's'.repeat(200_000);
    const line = formatRecord('error', 'x'.repeat(100_000), { error, route: 'r'.repeat(10_000) }, NOW);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LIMIT);
    const record = JSON.parse(line);
    expect(record.level).toBe('error');
    expect(record.msg).toMatch(/^x+…\[truncated\]$/);
    expect(record.error.stack).toMatch(/…\[truncated\]$/);
  });

  test('multi-byte and escaped characters still fit', () => {
    const error = new Error('é\u0001'.repeat(2_000));
    error.stack = '日本語\n'.repeat(3_000);
    const line = formatRecord('error', '😀\u0002'.repeat(2_000), { error }, NOW);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LIMIT);
    expect(JSON.parse(line).level).toBe('error');
    expect(line).not.toContain('\n');
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
}
