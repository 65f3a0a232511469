import { rootCertificates } from 'node:tls';
import type { Pool, PoolConfig } from 'pg';
import {
  Database,
  databaseConfigFromEnv,
  DEFAULT_CA_BUNDLE,
  RdsTokenCache,
  resolveReaderEndpoint,
  type CnameResolver,
  type DatabaseConfig,
  type RdsTokenRequest,
} from '../../app/lib/db';

// The IAM token path without network: which host, port, user and region tokens are signed for, how long
// they are reused, and how the reader name becomes a replica's own endpoint.

const PROXY = 'app.proxy-abc123.eu-west-1.rds.amazonaws.com';
const REPLICA_1 = 'app-replica-1.abc123.eu-west-1.rds.amazonaws.com';
const REPLICA_2 = 'app-replica-2.abc123.eu-west-1.rds.amazonaws.com';
const READER_NAME = 'reader.db.app.internal';

/** A signer factory that records requests and numbers its tokens. */
function recordingSigner() {
  const requests: RdsTokenRequest[] = [];
  return {
    requests,
    factory: (request: RdsTokenRequest) => ({
      getAuthToken: async () => {
        requests.push(request);
        return `token-${requests.length}-for-${request.username}@${request.hostname}`;
      },
    }),
  };
}

/** A resolver over a fixed CNAME table; names not in it have no CNAME (ENODATA, like an A record). */
function cnames(table: Record<string, string | string[]>): CnameResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (name: string) => {
    calls.push(name);
    const target = table[name];
    if (target === undefined) {
      throw Object.assign(new Error(`queryCname ENODATA ${name}`), { code: 'ENODATA' });
    }
    return Array.isArray(target) ? target : [target];
  };
  return Object.assign(resolve, { calls });
}

describe('RdsTokenCache', () => {
  test('asks the signer for exactly the host, port, user and region', async () => {
    const signer = recordingSigner();
    const cache = new RdsTokenCache({ region: 'eu-west-1', signerFactory: signer.factory, now: () => 0 });
    await expect(cache.token(PROXY, 5432, 'app_writer')).resolves.toBe(`token-1-for-app_writer@${PROXY}`);
    expect(signer.requests).toEqual([{ hostname: PROXY, port: 5432, username: 'app_writer', region: 'eu-west-1' }]);
  });

  test('reuses a token for 10 minutes and signs a new one from then on (tokens live 15)', async () => {
    const signer = recordingSigner();
    let now = 1_000_000;
    const cache = new RdsTokenCache({ region: 'eu-west-1', signerFactory: signer.factory, now: () => now });
    const first = await cache.token(PROXY, 5432, 'app_writer');
    now += 10 * 60_000 - 1;
    await expect(cache.token(PROXY, 5432, 'app_writer')).resolves.toBe(first);
    now += 1;
    const second = await cache.token(PROXY, 5432, 'app_writer');
    expect(second).not.toBe(first);
    expect(signer.requests).toHaveLength(2);
    now += 60_000;
    await expect(cache.token(PROXY, 5432, 'app_writer')).resolves.toBe(second);
  });

  test('the refresh age is configurable', async () => {
    const signer = recordingSigner();
    let now = 0;
    const cache = new RdsTokenCache({
      region: 'eu-west-1',
      signerFactory: signer.factory,
      now: () => now,
      refreshAfterMs: 1000,
    });
    await cache.token(PROXY, 5432, 'app_writer');
    now = 1000;
    await cache.token(PROXY, 5432, 'app_writer');
    expect(signer.requests).toHaveLength(2);
  });

  test('keeps one token per host, port and user, and concurrent connections share one signing', async () => {
    const signer = recordingSigner();
    const cache = new RdsTokenCache({ region: 'eu-west-1', signerFactory: signer.factory, now: () => 0 });
    const tokens = await Promise.all([
      cache.token(PROXY, 5432, 'app_writer'),
      cache.token(PROXY, 5432, 'app_writer'),
      cache.token(PROXY, 5432, 'app_reader'),
      cache.token(REPLICA_1, 5432, 'app_reader'),
      cache.token(REPLICA_1, 5433, 'app_reader'),
    ]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(new Set(tokens).size).toBe(4);
    expect(signer.requests).toHaveLength(4);
  });

  test('a failed signing is reported with the target and not cached', async () => {
    let fail = true;
    let calls = 0;
    const cache = new RdsTokenCache({
      region: 'eu-west-1',
      now: () => 0,
      signerFactory: () => ({
        getAuthToken: async () => {
          calls += 1;
          if (fail) {
            throw new Error('Could not load credentials from any providers');
          }
          return 'token';
        },
      }),
    });
    await expect(cache.token(PROXY, 5432, 'app_writer')).rejects.toThrow(
      `Signing an RDS IAM token for app_writer@${PROXY}:5432 failed: Could not load credentials from any providers`,
    );
    fail = false;
    await expect(cache.token(PROXY, 5432, 'app_writer')).resolves.toBe('token');
    expect(calls).toBe(2);
  });
});

describe('resolveReaderEndpoint', () => {
  test('follows the CNAME chain to the first RDS endpoint and stops there', async () => {
    const resolver = cnames({
      [READER_NAME]: 'weighted.db.app.internal.',
      'weighted.db.app.internal': `${REPLICA_2.toUpperCase()}.`,
      // An instance endpoint is itself a CNAME to internal names no token or certificate is valid for.
      [REPLICA_2]: 'ec2-10-0-1-2.eu-west-1.compute.internal',
    });
    await expect(resolveReaderEndpoint(READER_NAME, resolver)).resolves.toBe(REPLICA_2);
    expect(resolver.calls).toEqual([READER_NAME, 'weighted.db.app.internal']);
  });

  test('dev: a reader name that is a CNAME to the proxy signs for the proxy endpoint', async () => {
    await expect(resolveReaderEndpoint(READER_NAME, cnames({ [READER_NAME]: PROXY }))).resolves.toBe(PROXY);
  });

  test('falls back to the name itself when it has no CNAME (A or alias record)', async () => {
    const resolver = cnames({});
    await expect(resolveReaderEndpoint(READER_NAME, resolver)).resolves.toBe(READER_NAME);
    expect(resolver.calls).toEqual([READER_NAME]);
  });

  test('falls back to the name itself when the chain reaches no RDS endpoint', async () => {
    const resolver = cnames({ [READER_NAME]: 'other.example.com', 'other.example.com': 'loop.example.com' });
    await expect(resolveReaderEndpoint(READER_NAME, resolver)).resolves.toBe(READER_NAME);
  });

  test('a CNAME loop ends after a bounded number of lookups', async () => {
    const resolver = cnames({ 'a.internal': 'b.internal', 'b.internal': 'a.internal' });
    await expect(resolveReaderEndpoint('a.internal', resolver)).resolves.toBe('a.internal');
    expect(resolver.calls.length).toBeLessThanOrEqual(8);
  });

  test('an RDS endpoint given directly is used without any lookup', async () => {
    const resolver = cnames({});
    await expect(resolveReaderEndpoint(REPLICA_1, resolver)).resolves.toBe(REPLICA_1);
    expect(resolver.calls).toEqual([]);
  });

  test('a DNS failure other than "no CNAME" is an error, not a silent fallback', async () => {
    const failing: CnameResolver = async () => {
      throw Object.assign(new Error('queryCname ESERVFAIL'), { code: 'ESERVFAIL' });
    };
    await expect(resolveReaderEndpoint(READER_NAME, failing)).rejects.toThrow(
      `Resolving the reader name ${READER_NAME} failed: queryCname ESERVFAIL`,
    );
  });
});

/** Pools that record their configuration and answer every query. */
function fakePools() {
  const configs: PoolConfig[] = [];
  const ended: string[] = [];
  const createPool = (config: PoolConfig) => {
    configs.push(config);
    const pool = {
      query: async () => ({ rows: [{ host: config.host }], rowCount: 1 }),
      connect: async () => ({ query: async () => ({ rows: [] }), release: () => undefined }),
      on: () => pool,
      end: async () => {
        ended.push(String(config.host));
      },
    };
    return pool as unknown as Pool;
  };
  return { configs, ended, createPool };
}

const IAM_CONFIG: DatabaseConfig = {
  auth: 'iam',
  writerHost: PROXY,
  readerHost: READER_NAME,
  port: 5432,
  database: 'app',
  writeUser: 'app_writer',
  readUser: 'app_reader',
  region: 'eu-west-1',
  tls: true,
  caBundlePath: '/bundle.pem',
};

describe('Database with IAM', () => {
  test('the writer signs for the proxy, the reader for the replica its name resolves to, and connects there', async () => {
    const signer = recordingSigner();
    const pools = fakePools();
    const db = new Database(IAM_CONFIG, {
      signerFactory: signer.factory,
      resolveCname: cnames({ [READER_NAME]: REPLICA_1 }),
      createPool: pools.createPool,
      readFile: () => 'RDS-CA-PEM',
      now: () => 0,
    });
    await db.read('SELECT 1');
    const [writer, reader] = pools.configs;
    expect(writer).toMatchObject({ host: PROXY, port: 5432, user: 'app_writer', database: 'app' });
    expect(reader).toMatchObject({ host: REPLICA_1, port: 5432, user: 'app_reader', database: 'app' });
    await expect((writer.password as () => Promise<string>)()).resolves.toBe(`token-1-for-app_writer@${PROXY}`);
    await expect((reader.password as () => Promise<string>)()).resolves.toBe(`token-2-for-app_reader@${REPLICA_1}`);
    expect(signer.requests).toEqual([
      { hostname: PROXY, port: 5432, username: 'app_writer', region: 'eu-west-1' },
      { hostname: REPLICA_1, port: 5432, username: 'app_reader', region: 'eu-west-1' },
    ]);
  });

  test('TLS verifies the server against Node’s roots (RDS Proxy) plus the RDS CA bundle (replicas)', () => {
    const pools = fakePools();
    new Database(IAM_CONFIG, { createPool: pools.createPool, readFile: () => 'RDS-CA-PEM' });
    const ssl = pools.configs[0].ssl as { rejectUnauthorized: boolean; ca: string[] };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.ca).toEqual([...rootCertificates, 'RDS-CA-PEM']);
  });

  test('the reader name is resolved again after 30 s, and each replica gets its own pool', async () => {
    const pools = fakePools();
    const table: Record<string, string> = { [READER_NAME]: REPLICA_1 };
    let now = 0;
    const db = new Database(IAM_CONFIG, {
      signerFactory: recordingSigner().factory,
      resolveCname: async (name) => [table[name]],
      createPool: pools.createPool,
      readFile: () => '',
      now: () => now,
    });
    await expect(db.readerEndpoint()).resolves.toBe(REPLICA_1);
    table[READER_NAME] = REPLICA_2;
    now = 29_999;
    await db.read('SELECT 1');
    await expect(db.readerEndpoint()).resolves.toBe(REPLICA_1);
    now = 30_000;
    await db.read('SELECT 1');
    await db.read('SELECT 1');
    expect(pools.configs.map((c) => c.host)).toEqual([PROXY, REPLICA_1, REPLICA_2]);
    await db.end();
    expect(pools.ended.sort()).toEqual([PROXY, REPLICA_1, REPLICA_2].sort());
  });

  test('a failed reader resolution fails the read and is retried on the next one', async () => {
    let fail = true;
    const db = new Database(IAM_CONFIG, {
      resolveCname: async () => {
        if (fail) {
          throw Object.assign(new Error('queryCname ETIMEOUT'), { code: 'ETIMEOUT' });
        }
        return [REPLICA_1];
      },
      createPool: fakePools().createPool,
      readFile: () => '',
      now: () => 0,
    });
    await expect(db.read('SELECT 1')).rejects.toThrow(/Resolving the reader name .* failed/);
    fail = false;
    await expect(db.readerEndpoint()).resolves.toBe(REPLICA_1);
  });

  test('password mode never signs and connects to the reader name as given', async () => {
    const pools = fakePools();
    let signed = false;
    const db = new Database(
      { ...IAM_CONFIG, auth: 'password', password: 'local', region: undefined, tls: false, caBundlePath: undefined },
      {
        createPool: pools.createPool,
        signerFactory: () => {
          signed = true;
          return { getAuthToken: async () => 'x' };
        },
      },
    );
    await db.read('SELECT 1');
    expect(pools.configs.map((c) => [c.host, c.user, c.password, c.ssl])).toEqual([
      [PROXY, 'app_writer', 'local', false],
      [READER_NAME, 'app_reader', 'local', false],
    ]);
    expect(signed).toBe(false);
  });
});

describe('databaseConfigFromEnv', () => {
  const IAM_ENV: NodeJS.ProcessEnv = {
    DB_AUTH: 'iam',
    DB_WRITER_HOST: PROXY,
    DB_READER_HOST: READER_NAME,
    DB_PORT: '5432',
    DB_NAME: 'app',
    DB_WRITE_USER: 'app_writer',
    DB_READ_USER: 'app_reader',
    AWS_REGION: 'eu-west-1',
  };
  const exists = (path: string) => path === DEFAULT_CA_BUNDLE;

  test('the deployed task’s environment gives IAM with TLS and the image’s CA bundle', () => {
    expect(databaseConfigFromEnv(IAM_ENV, exists)).toEqual({
      auth: 'iam',
      writerHost: PROXY,
      readerHost: READER_NAME,
      port: 5432,
      database: 'app',
      writeUser: 'app_writer',
      readUser: 'app_reader',
      region: 'eu-west-1',
      tls: true,
      caBundlePath: DEFAULT_CA_BUNDLE,
    });
  });

  test('DB_CA_BUNDLE moves the bundle', () => {
    const env = { ...IAM_ENV, DB_CA_BUNDLE: '/etc/rds.pem' };
    expect(databaseConfigFromEnv(env, (path) => path === '/etc/rds.pem').caBundlePath).toBe('/etc/rds.pem');
  });

  test.each([
    ['no DB_AUTH', { DB_AUTH: undefined }, /DB_AUTH is not set: set DB_AUTH=iam .* never falls back to a password/],
    ['an unknown DB_AUTH', { DB_AUTH: 'secret' }, /DB_AUTH=secret is not supported: use iam or password/],
    ['a password with IAM', { DB_PASSWORD: 'leftover' }, /DB_PASSWORD is set with DB_AUTH=iam: remove it/],
    ['IAM without a region', { AWS_REGION: undefined }, /AWS_REGION is not set/],
    ['IAM without TLS', { DB_TLS: 'disable' }, /DB_TLS=disable is not allowed with DB_AUTH=iam/],
    ['a bad port', { DB_PORT: '54x' }, /DB_PORT=54x is not a port number/],
    ['a blank user', { DB_READ_USER: ' ' }, /DB_READ_USER is not set/],
  ])('%s is refused', (_name, change, message) => {
    expect(() => databaseConfigFromEnv({ ...IAM_ENV, ...change }, exists)).toThrow(message);
  });

  test('IAM without the CA bundle is refused (replica certificates could not be verified)', () => {
    expect(() => databaseConfigFromEnv(IAM_ENV, () => false)).toThrow(
      `The RDS CA bundle ${DEFAULT_CA_BUNDLE} does not exist`,
    );
  });

  test('every problem is reported at once', () => {
    try {
      databaseConfigFromEnv({ DB_AUTH: 'iam', DB_PASSWORD: 'x' }, () => false);
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect((error as { problems: string[] }).problems).toHaveLength(8);
    }
  });

  test('password mode needs DB_PASSWORD, and may run without TLS and without the bundle', () => {
    const local = { ...IAM_ENV, DB_AUTH: 'password', AWS_REGION: undefined, DB_TLS: 'disable' };
    expect(() => databaseConfigFromEnv(local, () => false)).toThrow(/DB_AUTH=password needs DB_PASSWORD/);
    expect(databaseConfigFromEnv({ ...local, DB_PASSWORD: 'pw' }, () => false)).toMatchObject({
      auth: 'password',
      password: 'pw',
      tls: false,
    });
    const withTls = databaseConfigFromEnv({ ...local, DB_PASSWORD: 'pw', DB_TLS: undefined }, () => false);
    expect(withTls).toMatchObject({ tls: true });
    expect(withTls.caBundlePath).toBeUndefined();
  });
});
