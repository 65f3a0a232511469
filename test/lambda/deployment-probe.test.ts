import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  evaluate,
  probeOnce,
  settingsFromEnvironment,
  type ProbeOutcome,
  type ProbeSettings,
} from '../../constructs/compute/lambda/deployment-probe';

const SETTINGS: ProbeSettings = {
  url: 'http://example.invalid/api/health',
  requiredSuccesses: 3,
  maxAttempts: 4,
  timeoutMs: 1000,
  intervalMs: 0,
  callBackDelaySeconds: 20,
};
const noSleep = async (): Promise<void> => undefined;
const healthy: ProbeOutcome = { healthy: true, detail: 'ok' };
const sick: ProbeOutcome = { healthy: false, detail: 'HTTP 503' };

function scripted(outcomes: ProbeOutcome[]) {
  const calls: string[] = [];
  return {
    calls,
    probe: async (url: string): Promise<ProbeOutcome> => {
      calls.push(url);
      return outcomes.shift() ?? sick;
    },
  };
}

describe('deployment probe: decision', () => {
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('succeeds after the required consecutive healthy answers', async () => {
    const { calls, probe } = scripted([healthy, healthy, healthy]);
    await expect(evaluate({}, SETTINGS, probe, noSleep)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(calls).toEqual([SETTINGS.url, SETTINGS.url, SETTINGS.url]);
  });

  test('asks ECS to call again, counting the attempt, when the revision is not healthy yet', async () => {
    const { calls, probe } = scripted([healthy, sick]);
    await expect(evaluate({ hookDetails: { attempts: 1 } }, SETTINGS, probe, noSleep)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 20,
      hookDetails: { attempts: 2 },
    });
    expect(calls).toHaveLength(2);
  });

  test('fails (ECS rolls back) when the last attempt is unhealthy', async () => {
    const { probe } = scripted([sick]);
    await expect(evaluate({ hookDetails: { attempts: '3' } }, SETTINGS, probe, noSleep)).resolves.toEqual({
      hookStatus: 'FAILED',
    });
  });

  test('reads its settings from the environment and refuses to run without a URL', () => {
    expect(settingsFromEnvironment({ PROBE_URL: 'http://alb:9000/api/health', MAX_ATTEMPTS: '5' })).toMatchObject({
      url: 'http://alb:9000/api/health',
      maxAttempts: 5,
      requiredSuccesses: 3,
    });
    expect(() => settingsFromEnvironment({})).toThrow('PROBE_URL is not set');
    expect(() => settingsFromEnvironment({ PROBE_URL: 'x', TIMEOUT_MS: 'soon' })).toThrow(/TIMEOUT_MS must be/);
  });
});

describe('deployment probe: HTTP against a local server', () => {
  let server: http.Server;
  let base: string;
  let mode: 'ok' | 'degraded' | 'error' | 'slow' = 'ok';

  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      if (mode === 'slow') {
        setTimeout(() => response.end('{"status":"ok"}'), 500);
        return;
      }
      response.writeHead(mode === 'error' ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: mode === 'ok' ? 'ok' : 'degraded', database: mode === 'ok' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  test('healthy on 200 with status ok', async () => {
    mode = 'ok';
    await expect(probeOnce(base, 1000)).resolves.toEqual({ healthy: true, detail: 'ok' });
  });

  test('unhealthy on a degraded body, an error status or a timeout', async () => {
    mode = 'degraded';
    await expect(probeOnce(base, 1000)).resolves.toMatchObject({
      healthy: false,
      detail: expect.stringContaining('degraded'),
    });
    mode = 'error';
    await expect(probeOnce(base, 1000)).resolves.toMatchObject({
      healthy: false,
      detail: expect.stringMatching(/^HTTP 503/),
    });
    mode = 'slow';
    await expect(probeOnce(base, 100)).resolves.toMatchObject({
      healthy: false,
      detail: expect.stringMatching(/^request failed/),
    });
  });

  test('a full round against the server', async () => {
    mode = 'ok';
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(evaluate({}, { ...SETTINGS, url: base })).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    jest.restoreAllMocks();
  });
});
