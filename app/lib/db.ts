import { promises as dnsPromises } from 'node:dns';
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Signer } from '@aws-sdk/rds-signer';
import { Pool, type PoolClient, type PoolConfig, type QueryResult, type QueryResultRow } from 'pg';
import { defaultCredentialsProvider, nonEmpty, regionFromEnv } from './aws-credentials';
import { ConfigurationError, errorMessage, timed, withTimeout, type CheckResult } from './check';
import { log } from './log';

/*
 * PostgreSQL access for the app: a writer pool through RDS Proxy and reader pools on the read replicas.
 *
 * Authentication (`DB_AUTH`, required, no default):
 * - `iam` (deployed tasks): the password of every new connection is an RDS IAM token (SigV4 presigned
 *   `rds-db:connect` URL, valid 15 minutes for *opening* a connection; an open connection is not cut at
 *   expiry). Tokens are cached per host and user and re-signed after 10 minutes, so a pool that grows
 *   under load does not sign once per connection, and no connection ever presents a token near its end.
 *   The task role needs `rds-db:connect` on `dbuser:<proxy or instance resource id>/<user>`.
 * - `password` (local development only, chosen explicitly): `DB_PASSWORD` for both users. There is no
 *   fallback from IAM to a password: without `DB_AUTH` the database path refuses to start.
 *
 * Reader and IAM: a token is signed for one host name and RDS checks it against the instance's own
 * endpoint, so a token for the Route 53 name `DB_READER_HOST` (a weighted CNAME over the replicas) is
 * rejected. The reader name is therefore resolved through its CNAME chain to the first RDS endpoint
 * (`*.rds.amazonaws.com`), the token is signed for that endpoint, and the pool connects to it by name,
 * so TLS also verifies the replica's real certificate name. A name that is no CNAME (an A/alias record)
 * or whose chain reaches no RDS endpoint is used as it is. The resolution is renewed every 30 s and each
 * endpoint gets its own pool: new connections follow the Route 53 weights and replica changes, and
 * pools of endpoints no longer chosen drain through their idle timeout.
 *
 * TLS: RDS Proxy presents an ACM certificate (Amazon Root CA, in Node's default store); DB instances
 * present certificates of the RDS CAs, which are not. Both are trusted: Node's roots plus the RDS global
 * bundle (`DB_CA_BUNDLE`, downloaded into the image at build time, see the Dockerfile).
 */

/** Where the image keeps the Amazon RDS global CA bundle (see the Dockerfile). */
export const DEFAULT_CA_BUNDLE = '/app/certs/rds-global-bundle.pem';

/** An RDS IAM token lives 15 minutes; re-sign well before, so that no connection opens with a stale one. */
export const TOKEN_REFRESH_AFTER_MS = 10 * 60_000;

/** How long one resolution of the reader name is used before the next one. */
export const READER_RESOLVE_TTL_MS = 30_000;

/** How `DB_AUTH` chooses to authenticate. */
export type DatabaseAuth = 'iam' | 'password';

/** Everything the pools need, read from the environment by {@link databaseConfigFromEnv}. */
export interface DatabaseConfig {
  readonly auth: DatabaseAuth;
  /** `DB_WRITER_HOST`: the RDS Proxy endpoint. */
  readonly writerHost: string;
  /** `DB_READER_HOST`: the Route 53 reader name (weighted CNAME over the replicas). */
  readonly readerHost: string;
  /** `DB_PORT`, default 5432. */
  readonly port: number;
  /** `DB_NAME`. */
  readonly database: string;
  /** `DB_WRITE_USER`. */
  readonly writeUser: string;
  /** `DB_READ_USER`. */
  readonly readUser: string;
  /** `DB_PASSWORD`, password mode only. */
  readonly password?: string;
  /** `AWS_REGION`, IAM mode only: the region tokens are signed for. */
  readonly region?: string;
  /** `false` only with `DB_TLS=disable`, allowed in password mode only (a local server without TLS). */
  readonly tls: boolean;
  /** PEM bundle of the RDS CAs, trusted in addition to Node's public roots; none when undefined. */
  readonly caBundlePath?: string;
}

const REQUIRED = ['DB_WRITER_HOST', 'DB_READER_HOST', 'DB_NAME', 'DB_WRITE_USER', 'DB_READ_USER'] as const;

/**
 * Reads and checks the database settings, reporting every problem at once.
 * @throws ConfigurationError when anything is missing or contradictory
 */
export function databaseConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  fileExists: (path: string) => boolean = existsSync,
): DatabaseConfig {
  const problems: string[] = [];
  const auth = nonEmpty(env.DB_AUTH);
  if (auth === undefined) {
    problems.push(
      'DB_AUTH is not set: set DB_AUTH=iam (deployed tasks) or, for local development only, DB_AUTH=password ' +
        'with DB_PASSWORD. The app never falls back to a password on its own.',
    );
  } else if (auth !== 'iam' && auth !== 'password') {
    problems.push(`DB_AUTH=${auth} is not supported: use iam or password.`);
  }
  for (const name of REQUIRED) {
    if (nonEmpty(env[name]) === undefined) {
      problems.push(`${name} is not set.`);
    }
  }
  const portText = nonEmpty(env.DB_PORT) ?? '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`DB_PORT=${portText} is not a port number (1-65535).`);
  }
  const tlsText = nonEmpty(env.DB_TLS) ?? 'verify';
  if (tlsText !== 'verify' && tlsText !== 'disable') {
    problems.push(`DB_TLS=${tlsText} is not supported: use verify (default) or disable (password mode only).`);
  }
  const tls = tlsText !== 'disable';
  const password = env.DB_PASSWORD;
  const region = regionFromEnv(env);
  if (auth === 'iam') {
    if (!tls) {
      problems.push('DB_TLS=disable is not allowed with DB_AUTH=iam: RDS accepts IAM tokens over TLS only.');
    }
    if (password !== undefined) {
      problems.push('DB_PASSWORD is set with DB_AUTH=iam: remove it, a task never holds a database password.');
    }
    if (region === undefined) {
      problems.push('AWS_REGION is not set: IAM tokens are signed for a region (ECS sets it in every task).');
    }
  }
  if (auth === 'password' && !password) {
    problems.push('DB_AUTH=password needs DB_PASSWORD.');
  }
  const explicitBundle = nonEmpty(env.DB_CA_BUNDLE);
  const bundle = explicitBundle ?? DEFAULT_CA_BUNDLE;
  const bundleExists = tls && fileExists(bundle);
  // The replicas present RDS CA certificates: without the bundle IAM reads could never verify them.
  if (tls && !bundleExists && (auth === 'iam' || explicitBundle !== undefined)) {
    problems.push(
      `The RDS CA bundle ${bundle} does not exist: the image downloads it at build time (see app/Dockerfile); ` +
        'set DB_CA_BUNDLE to its path.',
    );
  }
  if (problems.length > 0) {
    throw new ConfigurationError('The database', problems);
  }
  return {
    auth: auth as DatabaseAuth,
    writerHost: nonEmpty(env.DB_WRITER_HOST)!,
    readerHost: nonEmpty(env.DB_READER_HOST)!,
    port,
    database: nonEmpty(env.DB_NAME)!,
    writeUser: nonEmpty(env.DB_WRITE_USER)!,
    readUser: nonEmpty(env.DB_READ_USER)!,
    ...(auth === 'password' ? { password } : { region }),
    tls,
    ...(bundleExists ? { caBundlePath: bundle } : {}),
  };
}

// --- IAM tokens ---------------------------------------------------------------------------------------

/** What one RDS IAM token is signed for. */
export interface RdsTokenRequest {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly region: string;
}

/** Makes the signer of one token; the default is `@aws-sdk/rds-signer` with the task role's credentials. */
export type RdsSignerFactory = (request: RdsTokenRequest) => { getAuthToken(): Promise<string> };

/**
 * `@aws-sdk/rds-signer` with the process-wide credentials provider. The signer itself refreshes
 * credentials that expire within 15 minutes before signing, so a token never outlives its credentials.
 */
export const defaultRdsSignerFactory: RdsSignerFactory = (request) =>
  new Signer({ ...request, credentials: defaultCredentialsProvider() });

/** Options of {@link RdsTokenCache}. */
export interface RdsTokenCacheOptions {
  readonly region: string;
  /** @default defaultRdsSignerFactory */
  readonly signerFactory?: RdsSignerFactory;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** @default TOKEN_REFRESH_AFTER_MS */
  readonly refreshAfterMs?: number;
}

/**
 * RDS IAM tokens per host, port and user, re-signed after `refreshAfterMs`. Concurrent connections
 * share one signing; a failed signing is forgotten so that the next connection tries again.
 */
export class RdsTokenCache {
  private readonly entries = new Map<string, { readonly issuedAtMs: number; readonly token: Promise<string> }>();
  private readonly signerFactory: RdsSignerFactory;
  private readonly now: () => number;
  private readonly refreshAfterMs: number;

  constructor(private readonly options: RdsTokenCacheOptions) {
    this.signerFactory = options.signerFactory ?? defaultRdsSignerFactory;
    this.now = options.now ?? Date.now;
    this.refreshAfterMs = options.refreshAfterMs ?? TOKEN_REFRESH_AFTER_MS;
  }

  /** A token for `username` at `hostname:port`, from the cache while it is younger than the refresh age. */
  token(hostname: string, port: number, username: string): Promise<string> {
    const key = `${username}@${hostname}:${port}`;
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.issuedAtMs < this.refreshAfterMs) {
      return cached.token;
    }
    const token = Promise.resolve()
      .then(() => this.signerFactory({ hostname, port, username, region: this.options.region }).getAuthToken())
      .catch((error: unknown) => {
        throw new Error(`Signing an RDS IAM token for ${username}@${hostname}:${port} failed: ${errorMessage(error)}`, {
          cause: error,
        });
      });
    const entry = { issuedAtMs: now, token };
    this.entries.set(key, entry);
    token.catch(() => {
      if (this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    });
    return token;
  }
}

// --- Reader name --------------------------------------------------------------------------------------

/** Resolves the CNAME records of one name (`dns.promises.resolveCname`). */
export type CnameResolver = (hostname: string) => Promise<string[]>;

const RDS_ENDPOINT = /\.rds\.amazonaws\.com(\.cn)?$/i;
/** Answers meaning "this name has no CNAME": an A/alias record, or no such name. */
const NO_CNAME = new Set(['ENODATA', 'ENOTFOUND']);
const MAX_CNAME_HOPS = 8;

/** Whether `hostname` is an RDS endpoint (instance, proxy or cluster), i.e. a name RDS signs tokens for. */
export function isRdsEndpoint(hostname: string): boolean {
  return RDS_ENDPOINT.test(hostname);
}

/**
 * The host to sign for and connect to for `hostname`: the first RDS endpoint on its CNAME chain, or
 * `hostname` itself when it has no CNAME or its chain reaches no RDS endpoint. The chain stops at the
 * first RDS endpoint on purpose: an instance endpoint is itself a CNAME to internal EC2 names, for which
 * no token is valid and no certificate is issued.
 * @throws Error when DNS fails for another reason than "no CNAME" (the caller retries on the next connection)
 */
export async function resolveReaderEndpoint(
  hostname: string,
  resolveCname: CnameResolver = (name) => dnsPromises.resolveCname(name),
): Promise<string> {
  let current = hostname;
  for (let hop = 0; hop < MAX_CNAME_HOPS && !isRdsEndpoint(current); hop++) {
    let targets: string[];
    try {
      targets = await resolveCname(current);
    } catch (error) {
      if (NO_CNAME.has((error as NodeJS.ErrnoException).code ?? '')) {
        break;
      }
      throw new Error(`Resolving the reader name ${current} failed: ${errorMessage(error)}`, { cause: error });
    }
    if (targets.length === 0) {
      break;
    }
    current = targets[0].replace(/\.$/, '').toLowerCase();
  }
  return isRdsEndpoint(current) ? current : hostname;
}

// --- Pools --------------------------------------------------------------------------------------------

/** Test seams and tuning of {@link Database}; production uses the defaults. */
export interface DatabaseDependencies {
  /** @default defaultRdsSignerFactory */
  readonly signerFactory?: RdsSignerFactory;
  /** @default dns.promises.resolveCname */
  readonly resolveCname?: CnameResolver;
  /** Milliseconds since the epoch, for token age and reader resolution age. @default Date.now */
  readonly now?: () => number;
  /** @default TOKEN_REFRESH_AFTER_MS */
  readonly tokenRefreshAfterMs?: number;
  /** @default READER_RESOLVE_TTL_MS */
  readonly readerResolveTtlMs?: number;
  /** Connections per pool (the writer pool, and each reader endpoint's pool). @default 10 */
  readonly poolMax?: number;
  /** @default 5000 */
  readonly connectionTimeoutMs?: number;
  /** Reads the CA bundle. @default fs.readFileSync as UTF-8 */
  readonly readFile?: (path: string) => string;
  /** Creates one pool. @default new pg.Pool(config) */
  readonly createPool?: (config: PoolConfig) => Pool;
}

/** Outcome of the database health check: writer and reader separately. */
export interface DatabaseCheck extends CheckResult {
  readonly writer: CheckResult;
  readonly reader: CheckResult;
}

/** The writer pool (RDS Proxy) and the reader pools (replicas), with IAM or password authentication. */
export class Database {
  private readonly writer: Pool;
  private readonly readers = new Map<string, Pool>();
  private readonly tokens?: RdsTokenCache;
  private readonly ssl: PoolConfig['ssl'];
  private readonly now: () => number;
  private readonly resolveCname?: CnameResolver;
  private readonly readerResolveTtlMs: number;
  private reader?: { readonly resolvedAtMs: number; readonly endpoint: Promise<string> };
  private ended = false;

  constructor(
    readonly config: DatabaseConfig,
    private readonly dependencies: DatabaseDependencies = {},
  ) {
    this.now = dependencies.now ?? Date.now;
    this.resolveCname = dependencies.resolveCname;
    this.readerResolveTtlMs = dependencies.readerResolveTtlMs ?? READER_RESOLVE_TTL_MS;
    if (config.auth === 'iam') {
      if (!config.region) {
        throw new ConfigurationError('The database', ['IAM authentication needs a region.']);
      }
      this.tokens = new RdsTokenCache({
        region: config.region,
        signerFactory: dependencies.signerFactory,
        now: this.now,
        refreshAfterMs: dependencies.tokenRefreshAfterMs,
      });
    }
    this.ssl = sslOptions(config, dependencies.readFile ?? ((path) => readFileSync(path, 'utf8')));
    this.writer = this.pool(config.writerHost, config.writeUser);
  }

  /** One statement as the writer user, through RDS Proxy. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.writer.query<R>(text, values as unknown[] | undefined);
  }

  /** One statement as the reader user, on a replica. */
  async read<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    return (await this.readerPool()).query<R>(text, values as unknown[] | undefined);
  }

  /** Runs `work` on one writer connection (several statements, a transaction). */
  withWriter<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withClient(this.writer, work);
  }

  /** Runs `work` on one reader connection. */
  async withReader<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withClient(await this.readerPool(), work);
  }

  /** The host reader connections currently go to (a replica's own endpoint with IAM). */
  readerEndpoint(): Promise<string> {
    if (this.config.auth !== 'iam') {
      return Promise.resolve(this.config.readerHost);
    }
    const now = this.now();
    if (this.reader && now - this.reader.resolvedAtMs < this.readerResolveTtlMs) {
      return this.reader.endpoint;
    }
    const entry = { resolvedAtMs: now, endpoint: resolveReaderEndpoint(this.config.readerHost, this.resolveCname) };
    this.reader = entry;
    entry.endpoint.catch(() => {
      if (this.reader === entry) {
        this.reader = undefined;
      }
    });
    return entry.endpoint;
  }

  /**
   * `SELECT 1` as the writer and as the reader, each within the health check timeout. The report leaves
   * out host names: `/api/health` is reachable through CloudFront.
   */
  async check(): Promise<DatabaseCheck> {
    const [writer, reader] = await Promise.all([
      timed(async () => {
        await withTimeout(this.query('SELECT 1'), 'database writer');
      }),
      timed(async () => {
        await withTimeout(this.read('SELECT 1'), 'database reader');
      }),
    ]);
    return combine(writer, reader);
  }

  /** Closes every pool (tests, shutdown). */
  async end(): Promise<void> {
    if (this.ended) {
      return;
    }
    this.ended = true;
    await Promise.all([this.writer, ...this.readers.values()].map((pool) => pool.end()));
  }

  private async readerPool(): Promise<Pool> {
    const endpoint = await this.readerEndpoint();
    let pool = this.readers.get(endpoint);
    if (!pool) {
      pool = this.pool(endpoint, this.config.readUser);
      this.readers.set(endpoint, pool);
    }
    return pool;
  }

  private pool(host: string, user: string): Pool {
    if (this.ended) {
      throw new Error('The database pools are closed.');
    }
    const { port } = this.config;
    const tokens = this.tokens;
    const createPool = this.dependencies.createPool ?? ((config: PoolConfig) => new Pool(config));
    const pool = createPool({
      host,
      port,
      database: this.config.database,
      user,
      // pg calls the function for every new connection: each one presents a token younger than 10 minutes.
      password: tokens ? () => tokens.token(host, port, user) : this.config.password,
      ssl: this.ssl,
      max: this.dependencies.poolMax ?? 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: this.dependencies.connectionTimeoutMs ?? 5000,
      application_name: 'learning-assistant-web',
    });
    // An idle connection closed by the server (proxy idle timeout, failover) must not crash the process.
    pool.on('error', (error) =>
      log.warn(`database: idle connection of ${user} to ${host} failed: ${errorMessage(error)}`, { error }),
    );
    return pool;
  }
}

function sslOptions(config: DatabaseConfig, readFile: (path: string) => string): PoolConfig['ssl'] {
  if (!config.tls) {
    return false;
  }
  // `ca` replaces Node's default roots: keep them (RDS Proxy's Amazon Root CA) and add the RDS CAs.
  const ca = config.caBundlePath ? [...rootCertificates, readFile(config.caBundlePath)] : undefined;
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
}

async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client);
    client.release();
    return result;
  } catch (error) {
    // The connection may sit in an aborted transaction: destroy it rather than hand it to the next caller.
    client.release(true);
    throw error;
  }
}

function combine(writer: CheckResult, reader: DatabaseCheck['reader']): DatabaseCheck {
  const errors = [
    ...(writer.error ? [`writer: ${writer.error}`] : []),
    ...(reader.error ? [`reader: ${reader.error}`] : []),
  ];
  return {
    ok: writer.ok && reader.ok,
    latencyMs: Math.max(writer.latencyMs, reader.latencyMs),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    writer,
    reader,
  };
}

// --- Process-wide instance ----------------------------------------------------------------------------

const INSTANCE = Symbol.for('learning-assistant.database');
type Holder = { [INSTANCE]?: Database };

/**
 * The process's database, created from `process.env` on first use (kept on `globalThis` so that Next.js
 * module reloading in development does not open new pools each time).
 * @throws ConfigurationError when the environment is incomplete (e.g. `DB_AUTH` missing)
 */
export function getDatabase(): Database {
  const holder = globalThis as Holder;
  holder[INSTANCE] ??= new Database(databaseConfigFromEnv(process.env));
  return holder[INSTANCE];
}

/** The health check of the process's database; a configuration error is reported as a failed check. */
export async function checkDatabase(database?: Database): Promise<DatabaseCheck> {
  let db: Database;
  try {
    db = database ?? getDatabase();
  } catch (error) {
    const failed = { ok: false, latencyMs: 0, error: errorMessage(error) };
    return { ...failed, writer: failed, reader: failed };
  }
  return db.check();
}
