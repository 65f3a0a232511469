import { checkHealth } from '../../app/lib/health';

// The health report keeps its contract: `ok` only when every dependency answers, `degraded` otherwise
// (the route answers HTTP 200 either way; the deployment probe requires `ok`).

const ok = { ok: true, latencyMs: 1 };
const failed = { ok: false, latencyMs: 2, error: 'boom' };

test('ok when the writer, the reader and the cache answer', async () => {
  const report = await checkHealth({
    database: async () => ({ ...ok, writer: ok, reader: ok }),
    cache: async () => ok,
  });
  expect(report.status).toBe('ok');
});

test.each([
  ['the reader', { ...failed, writer: ok, reader: failed }, ok],
  ['the writer', { ...failed, writer: failed, reader: ok }, ok],
  ['the cache', { ...ok, writer: ok, reader: ok }, failed],
])('degraded when %s fails, with the failing check in the report', async (_what, database, cache) => {
  const report = await checkHealth({ database: async () => database, cache: async () => cache });
  expect(report).toEqual({ status: 'degraded', database, cache });
});

test('an environment without DB_AUTH and CACHE_AUTH reports degraded with both reasons, without throwing', async () => {
  const report = await checkHealth();
  expect(report.status).toBe('degraded');
  expect(report.database.error).toMatch(/DB_AUTH is not set/);
  expect(report.cache.error).toMatch(/CACHE_AUTH is not set/);
});
