import { GET } from '../../app/app/api/health/route';

// The load balancer and the container health check call /api/health every few seconds: a healthy answer
// is a debug record (not written at the default level), a degraded one a warn record naming what failed.

let write: jest.SpyInstance;
let savedLevel: string | undefined;

beforeEach(() => {
  savedLevel = process.env.LOG_LEVEL;
  delete process.env.LOG_LEVEL;
  write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  write.mockRestore();
  if (savedLevel === undefined) {
    delete process.env.LOG_LEVEL;
  } else {
    process.env.LOG_LEVEL = savedLevel;
  }
});

const records = () => write.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

test('a liveness probe writes nothing at the default level, and a debug request record below it', async () => {
  const response = await GET(new Request('http://localhost/api/health?probe=liveness'));
  await expect(response.json()).resolves.toEqual({ status: 'ok' });
  expect(records()).toEqual([]);

  process.env.LOG_LEVEL = 'debug';
  await GET(new Request('http://localhost/api/health?probe=liveness'));
  expect(records()).toEqual([
    expect.objectContaining({ level: 'debug', msg: 'request', route: '/api/health', method: 'GET', status: 200 }),
  ]);
});

test('a degraded report is a warn record with every failing check, and still HTTP 200', async () => {
  // No DB_AUTH and CACHE_AUTH in the test environment: every check fails on its configuration.
  expect(process.env.DB_AUTH).toBeUndefined();
  const response = await GET(new Request('http://localhost/api/health'));
  expect(response.status).toBe(200);
  await expect(response.json()).resolves.toMatchObject({ status: 'degraded' });

  expect(records()).toEqual([
    expect.objectContaining({ level: 'warn', route: '/api/health', method: 'GET', msg: expect.any(String) }),
  ]);
  const msg = String(records()[0].msg);
  expect(msg).toMatch(/^health degraded: database writer: .*DB_AUTH is not set/);
  expect(msg).toContain('; database reader: ');
  expect(msg).toMatch(/; cache: .*CACHE_AUTH is not set/);
});
