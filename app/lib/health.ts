import { Client } from 'pg';
import { createClient } from 'redis';

/** Result of one dependency check. */
export interface CheckResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

const TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS),
    ),
  ]);
}

async function timed(check: () => Promise<void>): Promise<CheckResult> {
  const started = Date.now();
  try {
    await check();
    return { ok: true, latencyMs: Date.now() - started };
  } catch (error) {
    return { ok: false, latencyMs: Date.now() - started, error: (error as Error).message };
  }
}

/** `SELECT 1` through the writer endpoint (RDS Proxy), over TLS. */
export function checkDatabase(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  return timed(async () => {
    const client = new Client({
      host: env.DB_WRITER_HOST,
      port: Number(env.DB_PORT ?? 5432),
      database: env.DB_NAME,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: TIMEOUT_MS,
    });
    try {
      await withTimeout(client.connect(), 'database connect');
      await withTimeout(client.query('SELECT 1'), 'database query');
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** `PING` as the application user, over TLS. */
export function checkCache(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  return timed(async () => {
    const client = createClient({
      socket: {
        host: env.CACHE_HOST,
        port: Number(env.CACHE_PORT ?? 6379),
        tls: true,
        connectTimeout: TIMEOUT_MS,
        reconnectStrategy: false,
      },
      username: env.CACHE_USER,
      password: env.CACHE_PASSWORD,
    });
    client.on('error', () => undefined);
    try {
      await withTimeout(client.connect(), 'cache connect');
      await withTimeout(client.ping(), 'cache ping');
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
}
