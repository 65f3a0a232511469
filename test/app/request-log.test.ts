import { createLogger } from '../../app/lib/log';
import {
  nextControlFlowStatus,
  requestLevel,
  wasLogged,
  withRequestLog,
  type RequestLogOptions,
} from '../../app/lib/request-log';

// One `msg: "request"` record per route handler call: the "slowest requests" query sorts these by
// durationMs, the error metric filter counts those at level error.

const NOW = new Date('2026-03-04T05:06:07.089Z');

function setup(options: Omit<RequestLogOptions, 'logger' | 'clock'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', now: () => NOW, sink: (line) => lines.push(line) });
  // Each call to the clock advances it: the handler's start at 1000 ms, its end 12.34 ms later.
  const ticks = [1000, 1012.34];
  const clock = () => ticks.shift() ?? 2000;
  return {
    options: { ...options, logger, clock },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const request = (method = 'GET') => new Request('http://localhost/api/items?x=1', { method });

describe('withRequestLog', () => {
  test('a success: one info record with route, method, status and the handler duration', async () => {
    const { options, records } = setup();
    const handler = withRequestLog('/api/items', async () => Response.json({ ok: true }, { status: 201 }), options);

    const response = await handler(request('POST'));

    expect(response.status).toBe(201);
    await expect(response.json()).resolves.toEqual({ ok: true });
    expect(records()).toEqual([
      {
        time: NOW.toISOString(),
        level: 'info',
        msg: 'request',
        route: '/api/items',
        method: 'POST',
        status: 201,
        durationMs: 12.3,
      },
    ]);
  });

  test.each([
    [200, 'debug'],
    [302, 'debug'],
    [404, 'warn'],
    [429, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ])('with successLevel debug, status %i is logged at %s', async (status, level) => {
    const { options, records } = setup({ successLevel: 'debug' });
    const handler = withRequestLog('/api/health', async () => new Response(null, { status }), options);
    await handler(request());
    expect(records()).toEqual([expect.objectContaining({ level, status, msg: 'request', route: '/api/health' })]);
  });

  test('a thrown error: an error record with status 500 and the error, then the same error rethrown', async () => {
    const { options, records } = setup();
    const thrown = new RangeError('page size out of range');
    const handler = withRequestLog(
      '/api/items',
      async () => {
        throw thrown;
      },
      options,
    );

    await expect(handler(request('DELETE'))).rejects.toBe(thrown);

    expect(records()).toEqual([
      {
        time: NOW.toISOString(),
        level: 'error',
        msg: 'request',
        route: '/api/items',
        method: 'DELETE',
        status: 500,
        durationMs: 12.3,
        error: { name: 'RangeError', message: 'page size out of range', stack: thrown.stack },
      },
    ]);
    // instrumentation's onRequestError skips it: one failed request, one error event.
    expect(wasLogged(thrown)).toBe(true);
  });

  test('a synchronous throw is handled like a rejection', async () => {
    const { options, records } = setup();
    const handler = withRequestLog(
      '/api/sync',
      () => {
        throw new Error('sync');
      },
      options,
    );
    await expect(handler(request())).rejects.toThrow('sync');
    expect(records()).toEqual([expect.objectContaining({ level: 'error', status: 500, route: '/api/sync' })]);
  });

  test('Next.js redirect() and notFound() are answers: logged with their status, not as errors, and rethrown', async () => {
    const { options, records } = setup();
    const redirect = Object.assign(new Error('NEXT_REDIRECT'), { digest: 'NEXT_REDIRECT;replace;/login?a=b;c;307;' });
    const notFound = Object.assign(new Error('NEXT_HTTP_ERROR_FALLBACK;404'), {
      digest: 'NEXT_HTTP_ERROR_FALLBACK;404',
    });
    for (const signal of [redirect, notFound]) {
      const handler = withRequestLog(
        '/api/r',
        async () => {
          throw signal;
        },
        options,
      );
      await expect(handler(request())).rejects.toBe(signal);
      expect(wasLogged(signal)).toBe(false);
    }
    expect(records().map((r) => [r.level, r.status])).toEqual([
      ['info', 307],
      ['warn', 404],
    ]);
  });

  test('other Next.js signals (dynamic usage during prerender) pass through without a record', async () => {
    const { options, records } = setup();
    const signal = Object.assign(new Error('Dynamic server usage'), { digest: 'DYNAMIC_SERVER_USAGE' });
    const handler = withRequestLog(
      '/api/r',
      async () => {
        throw signal;
      },
      options,
    );
    await expect(handler(request())).rejects.toBe(signal);
    expect(records()).toEqual([]);
  });

  test('the handler receives every argument (request and route context)', async () => {
    const { options } = setup();
    const seen: unknown[] = [];
    const handler = withRequestLog(
      '/api/items/[id]',
      async (req: Request, context: { params: Promise<{ id: string }> }) => {
        seen.push(req.method, (await context.params).id);
        return new Response('ok');
      },
      options,
    );
    await handler(request('PUT'), { params: Promise.resolve({ id: '42' }) });
    expect(seen).toEqual(['PUT', '42']);
  });

  test('without options it logs through the process logger to stdout', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await withRequestLog('/api/default', async () => new Response('ok'))(request());
      const records = write.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(records).toEqual([expect.objectContaining({ msg: 'request', route: '/api/default', status: 200 })]);
      expect(typeof records[0].durationMs).toBe('number');
    } finally {
      write.mockRestore();
    }
  });
});

describe('requestLevel', () => {
  test.each([
    [100, 'info'],
    [200, 'info'],
    [399, 'info'],
    [400, 'warn'],
    [499, 'warn'],
    [500, 'error'],
    [599, 'error'],
  ])('%i is %s', (status, level) => {
    expect(requestLevel(status)).toBe(level);
  });
});

describe('nextControlFlowStatus', () => {
  test.each<[string, unknown, number | null | undefined]>([
    ['a redirect', { digest: 'NEXT_REDIRECT;push;/a;308;' }, 308],
    ['a redirect to a URL with ;', { digest: 'NEXT_REDIRECT;push;/a;b;303;' }, 303],
    ['forbidden()', { digest: 'NEXT_HTTP_ERROR_FALLBACK;403' }, 403],
    ['a bail-out', { digest: 'BAILOUT_TO_CLIENT_SIDE_RENDERING' }, null],
    ['an unknown NEXT_ signal', { digest: 'NEXT_SOMETHING_NEW' }, null],
    ['an ordinary error', new Error('x'), undefined],
    ['a React digest of a render error', { digest: '1126520447' }, undefined],
    ['a string', 'NEXT_REDIRECT', undefined],
  ])('%s', (_what, error, status) => {
    expect(nextControlFlowStatus(error)).toBe(status);
  });
});
