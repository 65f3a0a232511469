import { createHmac, createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import {
  cacheConfigFromEnv,
  cacheCredentialsProvider,
  checkCache,
  createCacheClient,
  elastiCacheIamToken,
  type CacheConfig,
} from '../../app/lib/cache';
import { freePort } from '../support/postgres';

// ElastiCache IAM tokens: their documented shape, a signature checked against an independent SigV4
// computation, and a fresh token on every reconnection of node-redis (against a minimal RESP server).

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=chars',
};
const credentials = async () => CREDENTIALS;
const SIGNED_AT = Date.parse('2025-01-02T03:04:05Z');

/** The SigV4 query-string signature of a presigned GET, computed from the specification. */
function expectedSignature(host: string, query: URLSearchParams, region: string): string {
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = [...query.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
  const emptyPayload = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, '', 'host', emptyPayload].join('\n');
  const longDate = query.get('X-Amz-Date')!;
  const scope = `${longDate.slice(0, 8)}/${region}/elasticache/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', longDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')];
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, longDate.slice(0, 8));
  for (const part of [region, 'elasticache', 'aws4_request']) {
    key = hmac(key, part);
  }
  return createHmac('sha256', key).update(toSign.join('\n')).digest('hex');
}

/** Splits a token (a presigned URL without `http://`) into host, path and query. */
function parseToken(token: string) {
  expect(token.startsWith('http')).toBe(false);
  const url = new URL(`http://${token}`);
  return { host: url.host, path: url.pathname, query: url.searchParams };
}

describe('elastiCacheIamToken', () => {
  const request = {
    replicationGroupId: 'app-cache',
    user: 'app-user',
    region: 'eu-west-1',
    credentials,
    nowMs: SIGNED_AT,
  };

  test('is the presigned connect URL of the replication group, without its scheme', async () => {
    const { host, path, query } = parseToken(await elastiCacheIamToken(request));
    expect(host).toBe('app-cache');
    expect(path).toBe('/');
    expect(Object.fromEntries(query)).toEqual({
      Action: 'connect',
      User: 'app-user',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20250102/eu-west-1/elasticache/aws4_request',
      'X-Amz-Date': '20250102T030405Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': CREDENTIALS.sessionToken,
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('its signature is the SigV4 signature of that request (independent computation)', async () => {
    const { host, query } = parseToken(await elastiCacheIamToken(request));
    expect(query.get('X-Amz-Signature')).toBe(expectedSignature(host, query, 'eu-west-1'));
  });

  test('is deterministic for fixed credentials and time, and changes with the time', async () => {
    const token = await elastiCacheIamToken(request);
    expect(await elastiCacheIamToken(request)).toBe(token);
    expect(await elastiCacheIamToken({ ...request, nowMs: SIGNED_AT + 1000 })).not.toBe(token);
  });

  test('query values are percent-encoded (RFC 3986) and sorted like the SDKs’ presigned URLs', async () => {
    const token = await elastiCacheIamToken(request);
    expect(token).toContain('X-Amz-Security-Token=session%2Ftoken%2Bwith%3Dchars');
    expect(token).toMatch(/^app-cache\/\?Action=connect&User=app-user&X-Amz-Algorithm=/);
  });

  test('signs for the lower-case replication group id (ElastiCache stores ids in lower case)', async () => {
    const { host } = parseToken(await elastiCacheIamToken({ ...request, replicationGroupId: 'App-Cache' }));
    expect(host).toBe('app-cache');
  });
});

describe('cacheConfigFromEnv', () => {
  const IAM_ENV: NodeJS.ProcessEnv = {
    CACHE_AUTH: 'iam',
    CACHE_HOST: 'master.app-cache.abc.euw1.cache.amazonaws.com',
    CACHE_PORT: '6379',
    CACHE_USER: 'app-user',
    CACHE_REPLICATION_GROUP_ID: 'app-cache',
    AWS_REGION: 'eu-west-1',
  };

  test('the deployed task’s environment gives IAM over TLS', () => {
    expect(cacheConfigFromEnv(IAM_ENV)).toEqual({
      auth: 'iam',
      host: 'master.app-cache.abc.euw1.cache.amazonaws.com',
      port: 6379,
      user: 'app-user',
      replicationGroupId: 'app-cache',
      region: 'eu-west-1',
      tls: true,
    });
  });

  test.each([
    ['no CACHE_AUTH', { CACHE_AUTH: undefined }, /CACHE_AUTH is not set: .* never falls back to a password/],
    ['a password with IAM', { CACHE_PASSWORD: 'old' }, /CACHE_PASSWORD is set with CACHE_AUTH=iam/],
    ['IAM without group id', { CACHE_REPLICATION_GROUP_ID: '' }, /CACHE_REPLICATION_GROUP_ID is not set/],
    ['IAM without region', { AWS_REGION: undefined }, /AWS_REGION is not set/],
    ['IAM without TLS', { CACHE_TLS: 'disable' }, /CACHE_TLS=disable is not allowed with CACHE_AUTH=iam/],
    ['password mode without password', { CACHE_AUTH: 'password' }, /CACHE_AUTH=password needs CACHE_PASSWORD/],
  ])('%s is refused', (_name, change, message) => {
    expect(() => cacheConfigFromEnv({ ...IAM_ENV, ...change })).toThrow(message);
  });

  test('password mode for local development, optionally without TLS', () => {
    const config = cacheConfigFromEnv({
      CACHE_AUTH: 'password',
      CACHE_PASSWORD: 'local',
      CACHE_TLS: 'disable',
      CACHE_HOST: 'localhost',
      CACHE_USER: 'default',
    });
    expect(config).toEqual({
      auth: 'password',
      host: 'localhost',
      port: 6379,
      user: 'default',
      password: 'local',
      tls: false,
    });
  });
});

describe('cacheCredentialsProvider', () => {
  test('password mode hands node-redis the configured user and password', async () => {
    const provider = cacheCredentialsProvider({
      auth: 'password',
      host: 'localhost',
      port: 6379,
      user: 'default',
      password: 'local',
      tls: false,
    });
    await expect(provider.credentials()).resolves.toEqual({ username: 'default', password: 'local' });
  });

  test('a signing failure names the user', async () => {
    const provider = cacheCredentialsProvider(
      { auth: 'iam', host: 'h', port: 6379, user: 'app-user', replicationGroupId: 'g', region: 'eu-west-1', tls: true },
      {
        credentials: async () => {
          throw new Error('Could not load credentials from any providers');
        },
      },
    );
    await expect(provider.credentials()).rejects.toThrow(
      'Signing an ElastiCache IAM token for app-user failed: Could not load credentials from any providers',
    );
  });
});

/** A RESP server that answers the node-redis handshake and PING, and records each connection's HELLO. */
function startRespServer(port: number) {
  const hellos: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        const parsed = parseCommand(buffer);
        if (!parsed) {
          break;
        }
        buffer = buffer.slice(parsed.consumed);
        const [name] = parsed.args;
        if (name.toUpperCase() === 'HELLO') {
          hellos.push(parsed.args);
          socket.write('%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n');
        } else if (name.toUpperCase() === 'PING') {
          socket.write('+PONG\r\n');
        } else {
          socket.write('+OK\r\n');
        }
      }
    });
  });
  return {
    hellos,
    listen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    /** Closes every connection, as ElastiCache does to IAM connections after 12 hours. */
    dropConnections: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One RESP array of bulk strings from the front of `text`, or undefined when incomplete. */
function parseCommand(text: string): { args: string[]; consumed: number } | undefined {
  const header = /^\*(\d+)\r\n/.exec(text);
  if (!header) {
    return undefined;
  }
  let offset = header[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(header[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(offset));
    if (!bulk) {
      return undefined;
    }
    offset += bulk[0].length;
    const length = Number(bulk[1]);
    if (text.length < offset + length + 2) {
      return undefined;
    }
    args.push(text.slice(offset, offset + length));
    offset += length + 2;
  }
  return { args, consumed: offset };
}

describe('the cache client', () => {
  test('authenticates with a fresh IAM token on every connection, including reconnects', async () => {
    const port = await freePort();
    const server = startRespServer(port);
    await server.listen();
    const config: CacheConfig = {
      auth: 'iam',
      host: '127.0.0.1',
      port,
      user: 'app-user',
      replicationGroupId: 'app-cache',
      region: 'eu-west-1',
      tls: false,
    };
    let now = SIGNED_AT;
    const client = createCacheClient(config, { credentials, now: () => now });
    // The dropped connection logs a warning line (JSON on stdout): keep the test output clean.
    const warn = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await client.connect();
      await expect(checkCache(client)).resolves.toMatchObject({ ok: true });

      // ElastiCache closes IAM connections after 12 hours; node-redis reconnects by itself.
      now += 12 * 3600_000 + 60_000;
      server.dropConnections();
      for (let i = 0; i < 100 && server.hellos.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expect(client.ping()).resolves.toBe('PONG');

      expect(server.hellos).toHaveLength(2);
      const [first, second] = server.hellos.map((args) => {
        // HELLO 3 AUTH <username> <password> ...
        const auth = args.findIndex((arg) => arg.toUpperCase() === 'AUTH');
        return { username: args[auth + 1], token: parseToken(args[auth + 2]) };
      });
      expect(first.username).toBe('app-user');
      expect(second.username).toBe('app-user');
      expect(first.token.host).toBe('app-cache');
      expect(first.token.query.get('X-Amz-Date')).toBe('20250102T030405Z');
      expect(second.token.query.get('X-Amz-Date')).toBe('20250102T150505Z');
      expect(second.token.query.get('X-Amz-Signature')).toBe(
        expectedSignature('app-cache', second.token.query, 'eu-west-1'),
      );
    } finally {
      client.destroy();
      warn.mockRestore();
      await server.close();
    }
  });

  test('without CACHE_AUTH the process-wide client is never created, and the check says why', async () => {
    expect(process.env.CACHE_AUTH).toBeUndefined();
    const result = await checkCache();
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/CACHE_AUTH is not set/);
  });
});
