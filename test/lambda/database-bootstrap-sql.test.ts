import { Client } from 'pg';
import {
  applyBootstrap,
  bootstrapSpecProblems,
  BootstrapSpecError,
  bootstrapStatements,
  RESERVED_KEYWORDS,
  type BootstrapSpec,
} from '../../constructs/data/lambda/bootstrap-sql';
import { startPostgres, SUPERUSER_PASSWORD, type TestPostgres } from '../support/postgres';

// The bootstrap SQL against a real PostgreSQL 17, run as a stand-in of the RDS master: not a
// superuser, but CREATEROLE and owner of the application database, as `rds_superuser` masters are.
// RDS's `rds_iam` role is a plain NOLOGIN role here, which the master may grant (RDS lets
// rds_superuser grant it).

const SUPERUSER = { user: 'postgres', password: SUPERUSER_PASSWORD };
const MASTER = { user: 'app_admin', password: 'master-pw' };
const SPEC: BootstrapSpec = {
  databaseName: 'app',
  schemaName: 'app',
  writerRole: 'app_writer',
  readerRole: 'app_reader',
  iamAuthentication: true,
};

let postgres: TestPostgres;
let port: number;

async function connect(as: { user: string; password: string }, database = 'app'): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port, database, ...as });
  await client.connect();
  return client;
}

/** Runs `work` with a client of `as`, closing it afterwards. */
async function withClient<T>(
  as: { user: string; password: string },
  work: (client: Client) => Promise<T>,
  database = 'app',
): Promise<T> {
  const client = await connect(as, database);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const sql = (statement: string, database = 'app') => withClient(SUPERUSER, (c) => c.query(statement), database);
const bootstrap = (spec: BootstrapSpec = SPEC) => withClient(MASTER, (c) => applyBootstrap(c, spec));

/** Everything about roles and privileges in the cluster that a bootstrap could touch, as a superuser sees it. */
async function snapshot(): Promise<unknown> {
  return withClient(SUPERUSER, async (c) => {
    const query = async (text: string) => (await c.query(text)).rows;
    return {
      roles: await query(
        `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
                rolconnlimit, rolpassword, rolvaliduntil FROM pg_authid ORDER BY rolname`,
      ),
      members: await query(
        `SELECT roleid::regrole::text AS role, member::regrole::text AS member, grantor::regrole::text AS grantor,
                admin_option, inherit_option, set_option FROM pg_auth_members ORDER BY 1, 2, 3`,
      ),
      settings: await query(
        `SELECT setdatabase, setrole::regrole::text AS role, setconfig FROM pg_db_role_setting ORDER BY 1, 2`,
      ),
      databases: await query(
        `SELECT datname, datdba::regrole::text AS owner, datacl::text FROM pg_database ORDER BY 1`,
      ),
      schemas: await query(
        `SELECT nspname, nspowner::regrole::text AS owner, nspacl::text FROM pg_namespace ORDER BY 1`,
      ),
      relations: await query(
        `SELECT c.oid::regclass::text AS name, c.relacl::text FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          ORDER BY 1`,
      ),
      defaults: await query(
        `SELECT defaclrole::regrole::text AS role, defaclnamespace::regnamespace::text AS schema, defaclobjtype,
                defaclacl::text FROM pg_default_acl ORDER BY 1, 2, 3`,
      ),
      grants: await query(
        `SELECT grantor, grantee, table_schema, table_name, privilege_type FROM information_schema.role_table_grants
          WHERE table_schema = 'app' ORDER BY 1, 2, 3, 4, 5`,
      ),
    };
  });
}

/** Runs `statement` as `role` (SET ROLE from the superuser, so privileges are exactly the role's). */
async function asRole(role: string, statement: string): Promise<'ok' | string> {
  return withClient(SUPERUSER, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(`SET LOCAL ROLE ${role}`);
      await c.query(statement);
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

async function privileges(role: string, table: string): Promise<string[]> {
  const all = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'];
  return withClient(SUPERUSER, async (c) => {
    const held: string[] = [];
    for (const privilege of all) {
      const { rows } = await c.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [
        role,
        table,
        privilege,
      ]);
      if (rows[0]?.ok === true) {
        held.push(privilege);
      }
    }
    return held;
  });
}

async function scalar<T>(text: string, values: unknown[] = []): Promise<T> {
  return withClient(SUPERUSER, async (c) => Object.values((await c.query(text, values)).rows[0] ?? {})[0] as T);
}

beforeAll(async () => {
  postgres = await startPostgres();
  port = postgres.port;
  await sql(`CREATE ROLE ${MASTER.user} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER.password}'`, 'postgres');
  await sql('CREATE ROLE rds_iam NOLOGIN', 'postgres');
  await sql(`GRANT rds_iam TO ${MASTER.user} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`, 'postgres');
  await sql(`CREATE DATABASE app OWNER ${MASTER.user}`, 'postgres');
  // An unrelated role, to prove that connecting is no longer open to everyone.
  await sql('CREATE ROLE bystander LOGIN', 'postgres');
});

afterAll(async () => {
  await postgres?.stop();
});

describe('database bootstrap SQL against PostgreSQL 17', () => {
  test('a bad input fails with a clear error before any statement runs, and changes nothing', async () => {
    const before = await snapshot();
    const bad = { ...SPEC, writerRole: 'app-writer;drop', readerRole: 'select' };
    await expect(bootstrap(bad)).rejects.toThrow(BootstrapSpecError);
    await expect(bootstrap(bad)).rejects.toThrow(
      /writerRole "app-writer;drop" is not a plain identifier[\s\S]*readerRole "select" is a reserved SQL keyword/,
    );
    expect(await snapshot()).toEqual(before);
    expect(
      await scalar<number>(
        `SELECT count(*)::int FROM pg_roles WHERE rolname IN ('app_owner', 'app_writer', 'app_reader')`,
      ),
    ).toBe(0);
    expect(await scalar<number>(`SELECT count(*)::int FROM pg_namespace WHERE nspname = 'app'`)).toBe(0);
  });

  test('a failure halfway rolls the whole run back (rds_iam missing, roles already created in the transaction)', async () => {
    const before = await snapshot();
    await sql('ALTER ROLE rds_iam RENAME TO rds_iam_away');
    try {
      await expect(bootstrap()).rejects.toThrow(/role rds_iam does not exist: IAM database authentication needs RDS/);
    } finally {
      await sql('ALTER ROLE rds_iam_away RENAME TO rds_iam');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('creates the roles with exactly the intended attributes and no password', async () => {
    const result = await bootstrap();
    expect(result.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^role app_writer: absent -> login=t super=f createrole=f createdb=f replication=f bypassrls=f/,
        ),
      ]),
    );
    const roles = await withClient(
      SUPERUSER,
      async (c) =>
        (
          await c.query(
            `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolpassword
             FROM pg_authid WHERE rolname IN ('app_owner', 'app_writer', 'app_reader') ORDER BY rolname`,
          )
        ).rows,
    );
    const locked = {
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
    };
    expect(roles).toEqual([
      { rolname: 'app_owner', rolcanlogin: false, ...locked, rolpassword: null },
      { rolname: 'app_reader', rolcanlogin: true, ...locked, rolpassword: null },
      { rolname: 'app_writer', rolcanlogin: true, ...locked, rolpassword: null },
    ]);
    // The login roles are members of rds_iam only; the master acts for the owner.
    const members = await withClient(
      SUPERUSER,
      async (c) =>
        (
          await c.query(
            `SELECT DISTINCT member::regrole::text AS member, roleid::regrole::text AS role FROM pg_auth_members
            WHERE member::regrole::text IN ('app_owner', 'app_writer', 'app_reader') OR roleid::regrole::text = 'app_owner'
            ORDER BY 1, 2`,
          )
        ).rows,
    );
    expect(members).toEqual([
      { member: 'app_admin', role: 'app_owner' },
      { member: 'app_reader', role: 'rds_iam' },
      { member: 'app_writer', role: 'rds_iam' },
    ]);
  });

  test('the schema, the database and public are closed to everyone but the intended roles', async () => {
    await bootstrap();
    expect(await scalar<string>(`SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'app'`)).toBe(
      'app_owner',
    );
    const check = (fn: string, role: string, object: string, privilege: string) =>
      scalar<boolean>(`SELECT ${fn}($1, $2, $3)`, [role, object, privilege]);
    for (const role of ['app_writer', 'app_reader']) {
      expect(await check('has_schema_privilege', role, 'app', 'USAGE')).toBe(true);
      expect(await check('has_schema_privilege', role, 'app', 'CREATE')).toBe(false);
      expect(await check('has_schema_privilege', role, 'public', 'CREATE')).toBe(false);
      expect(await check('has_database_privilege', role, 'app', 'CONNECT')).toBe(true);
      expect(await check('has_database_privilege', role, 'app', 'CREATE')).toBe(false);
      expect(await check('has_database_privilege', role, 'app', 'TEMPORARY')).toBe(false);
    }
    expect(await check('has_database_privilege', 'bystander', 'app', 'CONNECT')).toBe(false);
    expect(await check('has_schema_privilege', 'bystander', 'app', 'USAGE')).toBe(false);
    expect(
      await scalar<string>(`SELECT setconfig::text FROM pg_db_role_setting WHERE setrole = 'app_writer'::regrole`),
    ).toBe('{search_path=app}');
  });

  test('tables the owner creates later get the same privileges (default privileges), and no more', async () => {
    await bootstrap();
    await withClient(MASTER, async (c) => {
      await c.query('SET ROLE app_owner');
      await c.query('CREATE TABLE IF NOT EXISTS app.items (id bigserial PRIMARY KEY, name text NOT NULL)');
    });
    expect(await privileges('app_writer', 'app.items')).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
    expect(await privileges('app_reader', 'app.items')).toEqual(['SELECT']);
    expect(await privileges('bystander', 'app.items')).toEqual([]);
    const sequence = (role: string, privilege: string) =>
      scalar<boolean>('SELECT has_sequence_privilege($1, $2, $3)', [role, 'app.items_id_seq', privilege]);
    expect(await sequence('app_writer', 'USAGE')).toBe(true);
    expect(await sequence('app_reader', 'USAGE')).toBe(false);

    // What the roles can actually do.
    expect(await asRole('app_writer', `INSERT INTO app.items (name) VALUES ('a')`)).toBe('ok');
    expect(await asRole('app_writer', `UPDATE app.items SET name = 'b'`)).toBe('ok');
    expect(await asRole('app_writer', 'CREATE TABLE app.evil (id int)')).toMatch(/permission denied for schema app/);
    expect(await asRole('app_writer', 'CREATE TABLE public.evil (id int)')).toMatch(
      /permission denied for schema public/,
    );
    expect(await asRole('app_writer', 'TRUNCATE app.items')).toMatch(/permission denied for table items/);
    expect(await asRole('app_writer', 'DROP TABLE app.items')).toMatch(/must be owner of table items/);
    expect(await asRole('app_writer', 'SELECT rolpassword FROM pg_authid')).toMatch(
      /permission denied for table pg_authid/,
    );
    expect(await asRole('app_writer', 'CREATE ROLE sneaky')).toMatch(/permission denied to create role/);
    expect(await scalar<boolean>(`SELECT pg_has_role('app_writer', 'app_owner', 'MEMBER')`)).toBe(false);
    expect(await asRole('app_reader', 'SELECT count(*) FROM app.items')).toBe('ok');
    expect(await asRole('app_reader', `INSERT INTO app.items (name) VALUES ('c')`)).toMatch(
      /permission denied for table items/,
    );
  });

  test('tables that existed before the bootstrap are granted too', async () => {
    await withClient(MASTER, async (c) => {
      await c.query('SET ROLE app_owner');
      // Created, then its grants removed by hand: as if made before the roles existed.
      await c.query('CREATE TABLE IF NOT EXISTS app.legacy (id int)');
      await c.query('REVOKE ALL ON app.legacy FROM app_writer, app_reader');
    });
    expect(await privileges('app_writer', 'app.legacy')).toEqual([]);
    const result = await bootstrap();
    expect(result.changes).toEqual([expect.stringMatching(/^table app\.legacy: owner=app_owner acl=/)]);
    expect(await privileges('app_writer', 'app.legacy')).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
    expect(await privileges('app_reader', 'app.legacy')).toEqual(['SELECT']);
  });

  test('a second run changes nothing and reports nothing', async () => {
    await bootstrap();
    const before = await snapshot();
    const result = await bootstrap();
    expect(result.changes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  test('drift is repaired: privileges added or removed by hand go back to the spec', async () => {
    await bootstrap();
    const intended = await snapshot();
    await withClient(MASTER, async (c) => {
      await c.query('SET ROLE app_owner');
      await c.query('GRANT INSERT, TRUNCATE ON app.items TO app_reader');
      await c.query('REVOKE DELETE ON app.items FROM app_writer');
      await c.query('GRANT CREATE ON SCHEMA app TO app_writer');
      await c.query('ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO app_reader');
    });
    await sql(`ALTER ROLE app_writer PASSWORD 'leaked'`);
    await sql('GRANT CONNECT ON DATABASE app TO PUBLIC');
    const result = await bootstrap();
    expect(result.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^table app\.items: /),
        expect.stringMatching(/^schema app: /),
        expect.stringMatching(/^database app: /),
        expect.stringMatching(/^default privileges of app_owner in app on r: /),
      ]),
    );
    expect(await snapshot()).toEqual(intended);
    expect(await scalar<string | null>(`SELECT rolpassword FROM pg_authid WHERE rolname = 'app_writer'`)).toBeNull();
  });

  test('a changed spec is applied: turning IAM authentication off and on again', async () => {
    await bootstrap();
    const member = (role: string) => scalar<boolean>(`SELECT pg_has_role($1, 'rds_iam', 'MEMBER')`, [role]);
    const off = await bootstrap({ ...SPEC, iamAuthentication: false });
    expect(off.changes).toEqual([
      'membership app_reader in rds_iam granted by app_admin: admin=f inherit=t set=t -> absent',
      'membership app_writer in rds_iam granted by app_admin: admin=f inherit=t set=t -> absent',
    ]);
    expect(await member('app_writer')).toBe(false);
    expect((await bootstrap({ ...SPEC, iamAuthentication: false })).changes).toEqual([]);
    const on = await bootstrap();
    expect(on.changes).toHaveLength(2);
    expect(await member('app_writer')).toBe(true);
    expect(await member('app_reader')).toBe(true);
  });

  test('a changed spec is applied: a new reader role gets the reader privileges on every table', async () => {
    await bootstrap();
    const result = await bootstrap({ ...SPEC, readerRole: 'app_analytics' });
    expect(result.changes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^role app_analytics: absent -> login=t /)]),
    );
    expect(await privileges('app_analytics', 'app.items')).toEqual(['SELECT']);
    expect(await scalar<boolean>(`SELECT has_database_privilege('app_analytics', 'app', 'CONNECT')`)).toBe(true);
  });

  test('refuses roles with privileges beyond the spec that it cannot remove, changing nothing', async () => {
    await bootstrap();
    await sql('GRANT pg_read_all_data TO app_reader');
    await sql(`GRANT SELECT ON app.items TO bystander`);
    const before = await snapshot();
    try {
      await expect(bootstrap()).rejects.toThrow(
        /role "app_reader" is a member of "pg_read_all_data", which gives it privileges beyond the spec: an administrator must REVOKE/,
      );
      expect(await snapshot()).toEqual(before);
    } finally {
      await sql('REVOKE pg_read_all_data FROM app_reader');
      await sql(`REVOKE SELECT ON app.items FROM bystander`);
    }
    await sql('CREATE ROLE legacy_writer LOGIN SUPERUSER');
    await expect(bootstrap({ ...SPEC, writerRole: 'legacy_writer' })).rejects.toThrow(
      /role "legacy_writer" has SUPERUSER, REPLICATION or BYPASSRLS, which only a superuser can remove/,
    );
  });

  test('the reserved keyword list is exactly PostgreSQL 17’s reserved and type/function-name keywords', async () => {
    const words = await withClient(
      SUPERUSER,
      async (c) =>
        (await c.query<{ word: string }>(`SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') ORDER BY 1`))
          .rows,
      'postgres',
    );
    expect([...RESERVED_KEYWORDS].sort()).toEqual(words.map((w) => w.word));
  });
});

describe('database bootstrap spec validation', () => {
  test('reports every problem at once, with the value and the fix', () => {
    expect(
      bootstrapSpecProblems({
        databaseName: 'postgres',
        schemaName: 'public',
        writerRole: 'rds_app',
        readerRole: 'rds_app',
        iamAuthentication: true,
      }),
    ).toEqual([
      'databaseName "postgres" is a system database: bootstrap the application database',
      'schemaName "public" is a system schema: use a schema of the application\'s own',
      'writerRole "rds_app" is reserved by PostgreSQL or RDS (public, none, postgres, pg_*, rds*)',
      'readerRole "rds_app" is reserved by PostgreSQL or RDS (public, none, postgres, pg_*, rds*)',
      'writerRole and readerRole are both "rds_app": they must differ',
    ]);
    expect(bootstrapSpecProblems({ ...SPEC, writerRole: 'app_owner' })).toEqual([
      'writerRole "app_owner" is the schema owner role: choose another name',
    ]);
    expect(
      bootstrapSpecProblems({ ...SPEC, schemaName: 'Upper', iamAuthentication: 'yes' as unknown as boolean }),
    ).toEqual([
      'schemaName "Upper" is not a plain identifier: use 1 to 63 of a-z, 0-9 and _, not starting with a digit',
      'iamAuthentication must be true or false, got "yes"',
    ]);
    expect(bootstrapSpecProblems({ ...SPEC, schemaName: 's'.repeat(60) })).toEqual([
      `schemaName "${'s'.repeat(60)}" is too long: its owner role "${'s'.repeat(60)}_owner" exceeds 63 characters`,
    ]);
  });

  test('the statements quote every name and are deterministic (the construct hashes them)', () => {
    const statements = bootstrapStatements(SPEC);
    expect(bootstrapStatements(SPEC)).toEqual(statements);
    expect(statements).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "app" TO "app_writer"');
    expect(statements).toContain(
      'REVOKE TRUNCATE, REFERENCES, TRIGGER, MAINTAIN ON ALL TABLES IN SCHEMA "app" FROM "app_writer"',
    );
    expect(() => bootstrapStatements({ ...SPEC, readerRole: 'x"; DROP ROLE y; --' })).toThrow(BootstrapSpecError);
  });
});
