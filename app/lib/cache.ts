import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createClient } from 'redis';
import { defaultCredentialsProvider, nonEmpty, regionFromEnv, type AwsCredentialsProvider } from './aws-credentials';
import { ConfigurationError, errorMessage, timed, withTimeout, type CheckResult } from './check';
import { log } from './log';

/*
 * The cache client (node-redis) with ElastiCache IAM authentication.
 *
 * The IAM token is a SigV4 presigned URL (service `elasticache`, 900 s) of
 * `GET http://<replication group id>/?Action=connect&User=<user id>` without its `http://` prefix, sent as
 * the password of `HELLO`/`AUTH` for the ElastiCache user (whose user name must equal its user id). It is
 * valid 15 minutes for opening a connection; ElastiCache closes IAM connections after 12 hours. node-redis
 * asks its `credentialsProvider` for credentials on every (re)connection handshake, so the provider below
 * signs a fresh token each time: a reconnect after the 12-hour cut, a failover or a network error never
 * presents an expired token. Signing is local (no network call besides the cached role credentials).
 *
 * `CACHE_AUTH` is required: `iam` for deployed tasks, `password` (with `CACHE_PASSWORD`) for local
 * development only. TLS is always on except with `CACHE_TLS=disable` in password mode (a local server);
 * ElastiCache requires in-transit encryption for IAM and its certificates chain to Amazon's public roots.
 */

/** ElastiCache IAM tokens are valid for 15 minutes at most. */
export const CACHE_TOKEN_EXPIRES_S = 900;

/** How `CACHE_AUTH` chooses to authenticate. */
export type CacheAuth = 'iam' | 'password';

/** Everything the cache client needs, read from the environment by {@link cacheConfigFromEnv}. */
export interface CacheConfig {
  readonly auth: CacheAuth;
  /** `CACHE_HOST`: the primary (or configuration) endpoint. */
  readonly host: string;
  /** `CACHE_PORT`, default 6379. */
  readonly port: number;
  /** `CACHE_USER`: the ElastiCache user (user name = user id with IAM). */
  readonly user: string;
  /** `CACHE_REPLICATION_GROUP_ID`, IAM mode only: the host the token is signed for. */
  readonly replicationGroupId?: string;
  /** `AWS_REGION`, IAM mode only. */
  readonly region?: string;
  /** `CACHE_PASSWORD`, password mode only. */
  readonly password?: string;
  /** `false` only with `CACHE_TLS=disable`, allowed in password mode only. */
  readonly tls: boolean;
}

/**
 * Reads and checks the cache settings, reporting every problem at once.
 * @throws ConfigurationError when anything is missing or contradictory
 */
export function cacheConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CacheConfig {
  const problems: string[] = [];
  const auth = nonEmpty(env.CACHE_AUTH);
  if (auth === undefined) {
    problems.push(
      'CACHE_AUTH is not set: set CACHE_AUTH=iam (deployed tasks) or, for local development only, ' +
        'CACHE_AUTH=password with CACHE_PASSWORD. The app never falls back to a password on its own.',
    );
  } else if (auth !== 'iam' && auth !== 'password') {
    problems.push(`CACHE_AUTH=${auth} is not supported: use iam or password.`);
  }
  for (const name of ['CACHE_HOST', 'CACHE_USER'] as const) {
    if (nonEmpty(env[name]) === undefined) {
      problems.push(`${name} is not set.`);
    }
  }
  const portText = nonEmpty(env.CACHE_PORT) ?? '6379';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`CACHE_PORT=${portText} is not a port number (1-65535).`);
  }
  const tlsText = nonEmpty(env.CACHE_TLS) ?? 'verify';
  if (tlsText !== 'verify' && tlsText !== 'disable') {
    problems.push(`CACHE_TLS=${tlsText} is not supported: use verify (default) or disable (password mode only).`);
  }
  const tls = tlsText !== 'disable';
  const region = regionFromEnv(env);
  const replicationGroupId = nonEmpty(env.CACHE_REPLICATION_GROUP_ID);
  if (auth === 'iam') {
    if (!tls) {
      problems.push('CACHE_TLS=disable is not allowed with CACHE_AUTH=iam: ElastiCache requires TLS for IAM.');
    }
    if (env.CACHE_PASSWORD !== undefined) {
      problems.push('CACHE_PASSWORD is set with CACHE_AUTH=iam: remove it, a task never holds a cache password.');
    }
    if (replicationGroupId === undefined) {
      problems.push('CACHE_REPLICATION_GROUP_ID is not set: IAM tokens are signed for the replication group.');
    }
    if (region === undefined) {
      problems.push('AWS_REGION is not set: IAM tokens are signed for a region (ECS sets it in every task).');
    }
  }
  if (auth === 'password' && !env.CACHE_PASSWORD) {
    problems.push('CACHE_AUTH=password needs CACHE_PASSWORD.');
  }
  if (problems.length > 0) {
    throw new ConfigurationError('The cache', problems);
  }
  return {
    auth: auth as CacheAuth,
    host: nonEmpty(env.CACHE_HOST)!,
    port,
    user: nonEmpty(env.CACHE_USER)!,
    tls,
    ...(auth === 'iam' ? { replicationGroupId, region } : { password: env.CACHE_PASSWORD }),
  };
}

/** What one ElastiCache IAM token is signed for, and with what. */
export interface CacheTokenRequest {
  readonly replicationGroupId: string;
  readonly user: string;
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  /** Signing time, milliseconds since the epoch. @default Date.now() */
  readonly nowMs?: number;
}

/**
 * An ElastiCache IAM authentication token: the presigned URL of
 * `GET http://<replication group id>/?Action=connect&User=<user>` (SigV4, service `elasticache`,
 * `X-Amz-Expires=900`) without `http://`, query parameters sorted and RFC 3986-encoded like the SDKs'
 * `formatUrl`. ElastiCache stores replication group ids in lower case, so the host is lower-cased.
 */
export async function elastiCacheIamToken(request: CacheTokenRequest): Promise<string> {
  const host = request.replicationGroupId.toLowerCase();
  const signer = new SignatureV4({
    service: 'elasticache',
    region: request.region,
    credentials: request.credentials,
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: host,
      path: '/',
      query: { Action: 'connect', User: request.user },
      headers: { host },
    },
    { expiresIn: CACHE_TOKEN_EXPIRES_S, signingDate: new Date(request.nowMs ?? Date.now()) },
  );
  const parameters = presigned.query ?? {};
  const query = Object.keys(parameters)
    .sort()
    .map((key) => `${escapeUri(key)}=${escapeUri(String(parameters[key]))}`)
    .join('&');
  return `${host}/?${query}`;
}

function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Test seams of the cache client; production uses the defaults. */
export interface CacheDependencies {
  /** @default defaultCredentialsProvider() */
  readonly credentials?: AwsCredentialsProvider;
  /** Milliseconds since the epoch, the signing time of each token. @default Date.now */
  readonly now?: () => number;
  /** Connection timeout of each (re)connection. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/**
 * node-redis's credentials provider for `config`: with IAM a freshly signed token on every call, which
 * node-redis makes at each connection handshake (first connect and every reconnect).
 */
export function cacheCredentialsProvider(config: CacheConfig, dependencies: CacheDependencies = {}) {
  const now = dependencies.now ?? Date.now;
  return {
    type: 'async-credentials-provider' as const,
    credentials: async (): Promise<{ username: string; password: string }> => {
      if (config.auth !== 'iam') {
        return { username: config.user, password: config.password ?? '' };
      }
      if (!config.replicationGroupId || !config.region) {
        throw new Error('ElastiCache IAM authentication needs the replication group id and the region.');
      }
      try {
        const password = await elastiCacheIamToken({
          replicationGroupId: config.replicationGroupId,
          user: config.user,
          region: config.region,
          credentials: dependencies.credentials ?? defaultCredentialsProvider(),
          nowMs: now(),
        });
        return { username: config.user, password };
      } catch (error) {
        throw new Error(`Signing an ElastiCache IAM token for ${config.user} failed: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    },
  };
}

/** A node-redis client for `config` (not connected); it reconnects by itself with a fresh token each time. */
export function createCacheClient(config: CacheConfig, dependencies: CacheDependencies = {}) {
  const connectTimeout = dependencies.connectTimeoutMs ?? 5000;
  const client = createClient({
    socket: config.tls
      ? { host: config.host, port: config.port, tls: true, servername: config.host, connectTimeout }
      : { host: config.host, port: config.port, connectTimeout },
    credentialsProvider: cacheCredentialsProvider(config, dependencies),
  });
  // Errors surface through failed commands and the health check; without a listener node-redis would throw.
  client.on('error', (error: Error) => log.warn(`cache: ${errorMessage(error)}`, { error }));
  return client;
}

/** The node-redis client type this module creates. */
export type CacheClient = ReturnType<typeof createCacheClient>;

const INSTANCE = Symbol.for('learning-assistant.cache');
type Holder = { [INSTANCE]?: { readonly client: CacheClient; connecting?: Promise<unknown> } };

/**
 * The process's cache client, connected on first use (kept on `globalThis` so that Next.js module
 * reloading in development does not open new connections each time).
 * @throws ConfigurationError when the environment is incomplete (e.g. `CACHE_AUTH` missing)
 */
export async function getCache(): Promise<CacheClient> {
  const holder = globalThis as Holder;
  holder[INSTANCE] ??= { client: createCacheClient(cacheConfigFromEnv(process.env)) };
  const entry = holder[INSTANCE];
  if (!entry.client.isOpen) {
    entry.connecting ??= entry.client.connect().finally(() => {
      entry.connecting = undefined;
    });
  }
  await entry.connecting;
  return entry.client;
}

/** `PING` through `client` (default: the process's client); configuration errors are a failed check. */
export function checkCache(client?: CacheClient): Promise<CheckResult> {
  return timed(async () => {
    const connected = await withTimeout(client ? Promise.resolve(client) : getCache(), 'cache connect');
    await withTimeout(connected.ping(), 'cache ping');
  });
}
