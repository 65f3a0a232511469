/**
 * The SQL of the database bootstrap: application roles with least privilege, kept exactly as the
 * spec says, idempotently. Pure: no AWS SDK and no driver at run time (only `pg`'s types), so the
 * construct hashes the statements at synthesis and the tests run them against a real PostgreSQL.
 *
 * The model, for one database and one application schema:
 * - `<schema>_owner` (NOLOGIN) owns the schema and, through migrations run with
 *   `SET ROLE <schema>_owner`, its tables; the bootstrapping user (the RDS master) becomes a member
 *   of it so it can grant on its objects and set default privileges for it;
 * - the writer (LOGIN) may connect, use the schema, and SELECT/INSERT/UPDATE/DELETE its tables and
 *   use its sequences; the reader (LOGIN) may connect, use the schema and SELECT its tables. Default
 *   privileges give both the same on every table and sequence the owner creates later;
 * - nobody but the owner may CREATE in the schema, nobody at all in `public`, and only the two
 *   roles (and the database owner) may connect to the database;
 * - the login roles have no password: with `iamAuthentication` they are members of `rds_iam`, so
 *   RDS accepts only IAM tokens for them.
 *
 * Every statement is idempotent, and each privilege set is applied as "grant what is intended,
 * revoke its complement", never "revoke all, grant again": a second run leaves every ACL exactly
 * as it was (not even reordered), and privileges added by hand (drift) are removed.
 */
import type { ClientBase } from 'pg';

/** What the bootstrap keeps in place. */
export interface BootstrapSpec {
  /** The application database (the statements run in it). */
  readonly databaseName: string;
  /** The application schema; its owner role is `<schemaName>_owner`. */
  readonly schemaName: string;
  /** Login role for reads and writes. */
  readonly writerRole: string;
  /** Login role for reads only. */
  readonly readerRole: string;
  /** Make both login roles members of `rds_iam` (IAM tokens only) or, when false, not. */
  readonly iamAuthentication: boolean;
}

/** What one run did. */
export interface BootstrapResult {
  /** Each difference between the privilege state before and after, as `what: before -> after`. */
  readonly changes: readonly string[];
}

/** The role that owns the application schema. */
export function ownerRoleOf(spec: Pick<BootstrapSpec, 'schemaName'>): string {
  return `${spec.schemaName}_owner`;
}

/** PostgreSQL's unquoted identifier shape, lower case, at most 63 bytes (NAMEDATALEN - 1). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Keywords that cannot be a role or schema name without quotes (`pg_get_keywords()` categories R
 * and T of PostgreSQL 17; a test compares this list with the server's). Names are always quoted
 * here, but operators and applications write them bare (`SET ROLE app_writer`).
 */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'authorization', 'binary',
  'both', 'case', 'cast', 'check', 'collate', 'collation', 'column', 'concurrently', 'constraint', 'create',
  'cross', 'current_catalog', 'current_date', 'current_role', 'current_schema', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end',
  'except', 'false', 'fetch', 'for', 'foreign', 'freeze', 'from', 'full', 'grant', 'group', 'having', 'ilike',
  'in', 'initially', 'inner', 'intersect', 'into', 'is', 'isnull', 'join', 'lateral', 'leading', 'left', 'like',
  'limit', 'localtime', 'localtimestamp', 'natural', 'not', 'notnull', 'null', 'offset', 'on', 'only', 'or',
  'order', 'outer', 'overlaps', 'placing', 'primary', 'references', 'returning', 'right', 'select',
  'session_user', 'similar', 'some', 'symmetric', 'system_user', 'table', 'tablesample', 'then', 'to',
  'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'verbose', 'when', 'where', 'window',
  'with',
]); // prettier-ignore

/** Names PostgreSQL or RDS keep for themselves. */
const RESERVED_ROLE_PREFIXES = ['pg_', 'rds'];
const RESERVED_ROLES = new Set(['public', 'none', 'postgres']);
const RESERVED_SCHEMAS = new Set(['public', 'information_schema']);
const RESERVED_DATABASES = new Set(['postgres', 'template0', 'template1', 'rdsadmin']);

/** Thrown for a spec that cannot be applied, before any statement runs. */
export class BootstrapSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`database bootstrap spec rejected, nothing was changed:\n- ${problems.join('\n- ')}`);
    this.name = 'BootstrapSpecError';
  }
}

function identifierProblems(kind: string, name: unknown): string[] {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    return [
      `${kind} ${JSON.stringify(name)} is not a plain identifier: use 1 to 63 of a-z, 0-9 and _, not starting with a digit`,
    ];
  }
  return RESERVED_KEYWORDS.has(name) ? [`${kind} "${name}" is a reserved SQL keyword: choose another name`] : [];
}

/** Every problem of `spec` (empty when it can be applied), each with the value and the fix. */
export function bootstrapSpecProblems(spec: BootstrapSpec): string[] {
  const problems = [
    ...identifierProblems('databaseName', spec.databaseName),
    ...identifierProblems('schemaName', spec.schemaName),
    ...identifierProblems('writerRole', spec.writerRole),
    ...identifierProblems('readerRole', spec.readerRole),
  ];
  if (typeof spec.iamAuthentication !== 'boolean') {
    problems.push(`iamAuthentication must be true or false, got ${JSON.stringify(spec.iamAuthentication)}`);
  }
  // Further checks only on names of the right shape: one problem per mistake.
  const plain = (name: unknown): name is string => typeof name === 'string' && IDENTIFIER.test(name);
  if (plain(spec.databaseName) && RESERVED_DATABASES.has(spec.databaseName)) {
    problems.push(`databaseName "${spec.databaseName}" is a system database: bootstrap the application database`);
  }
  if (plain(spec.schemaName) && (RESERVED_SCHEMAS.has(spec.schemaName) || spec.schemaName.startsWith('pg_'))) {
    problems.push(`schemaName "${spec.schemaName}" is a system schema: use a schema of the application's own`);
  }
  const owner = plain(spec.schemaName) ? ownerRoleOf(spec) : undefined;
  if (owner !== undefined && owner.length > 63) {
    problems.push(`schemaName "${spec.schemaName}" is too long: its owner role "${owner}" exceeds 63 characters`);
  }
  const roles: Array<[string, string]> = [
    ['writerRole', spec.writerRole],
    ['readerRole', spec.readerRole],
    ...(owner === undefined ? [] : [['schema owner', owner] as [string, string]]),
  ].filter(([, name]) => plain(name)) as Array<[string, string]>;
  for (const [kind, name] of roles) {
    if (RESERVED_ROLES.has(name) || RESERVED_ROLE_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      problems.push(`${kind} "${name}" is reserved by PostgreSQL or RDS (public, none, postgres, pg_*, rds*)`);
    }
  }
  if (plain(spec.writerRole) && spec.writerRole === spec.readerRole) {
    problems.push(`writerRole and readerRole are both "${spec.writerRole}": they must differ`);
  }
  for (const [kind, name] of roles.filter(([kind]) => kind !== 'schema owner')) {
    if (name === owner) {
      problems.push(`${kind} "${name}" is the schema owner role: choose another name`);
    }
  }
  return problems;
}

/** Throws a {@link BootstrapSpecError} listing every problem of `spec`. */
export function validateBootstrapSpec(spec: BootstrapSpec): void {
  const problems = bootstrapSpecProblems(spec);
  if (problems.length > 0) {
    throw new BootstrapSpecError(problems);
  }
}

/** `"name"`, with embedded quotes doubled: PostgreSQL's identifier quoting (as `pg.escapeIdentifier`). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'`, with embedded quotes doubled and, when there are backslashes, an `E` string (as `pg.escapeLiteral`). */
export function quoteLiteral(text: string): string {
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** Privileges of each object type in PostgreSQL 17 (`MAINTAIN` on tables is new in 17). */
const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'];
const SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT', 'UPDATE'];
const SCHEMA_PRIVILEGES = ['USAGE', 'CREATE'];
const DATABASE_PRIVILEGES = ['CONNECT', 'CREATE', 'TEMPORARY'];

/** What each login role may do. Fixed on purpose: the application needs no more, and no less. */
function intendedPrivileges(spec: BootstrapSpec) {
  return [
    {
      role: spec.writerRole,
      tables: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      sequences: ['USAGE', 'SELECT', 'UPDATE'],
    },
    { role: spec.readerRole, tables: ['SELECT'], sequences: [] as string[] },
  ];
}

const complement = (all: readonly string[], kept: readonly string[]) => all.filter((p) => !kept.includes(p));

/** `GRANT kept ...` and `REVOKE the rest ...`, skipping empty lists. */
function exactly(all: readonly string[], kept: readonly string[], on: string, role: string): string[] {
  const removed = complement(all, kept);
  return [
    ...(kept.length > 0 ? [`GRANT ${kept.join(', ')} ON ${on} TO ${role}`] : []),
    ...(removed.length > 0 ? [`REVOKE ${removed.join(', ')} ON ${on} FROM ${role}`] : []),
  ];
}

/** A PL/pgSQL block; names in it are validated identifiers, so `$bootstrap$` cannot occur inside. */
const plpgsql = (body: string) => `DO $bootstrap$\nBEGIN\n${body}\nEND\n$bootstrap$`;

/**
 * The statements that bring the database to `spec`, in order; each is idempotent. Run them in one
 * transaction ({@link applyBootstrap} does), as a user that owns the database and may create roles
 * (the RDS master: `rds_superuser`, CREATEROLE). Throws a {@link BootstrapSpecError} for an invalid
 * spec, before producing anything.
 */
export function bootstrapStatements(spec: BootstrapSpec): string[] {
  validateBootstrapSpec(spec);
  const db = quoteIdentifier(spec.databaseName);
  const schema = quoteIdentifier(spec.schemaName);
  const ownerName = ownerRoleOf(spec);
  const owner = quoteIdentifier(ownerName);
  const writer = quoteIdentifier(spec.writerRole);
  const reader = quoteIdentifier(spec.readerRole);
  const logins = [spec.writerRole, spec.readerRole];

  // Attributes a CREATEROLE user may set. SUPERUSER, REPLICATION and BYPASSRLS may be named in
  // ALTER ROLE only by a superuser, even to switch them off, and the RDS master is none: roles are
  // created without them, and applyBootstrap refuses roles that have them.
  const createRole = (name: string, login: boolean) =>
    plpgsql(
      `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(name)}) THEN\n` +
        `    CREATE ROLE ${quoteIdentifier(name)} WITH ${login ? 'LOGIN' : 'NOLOGIN'} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;\n` +
        '  END IF;',
    );
  // No password, ever: a login role authenticates with IAM tokens only (NULL also removes one
  // that was set by hand). INHERIT: the roles are members of no role with privileges (the
  // membership check in applyBootstrap enforces it), and RDS's rds_iam check is a membership test.
  const alterRole = (name: string, login: boolean) =>
    `ALTER ROLE ${quoteIdentifier(name)} WITH ${login ? 'LOGIN' : 'NOLOGIN'} NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT -1 PASSWORD NULL VALID UNTIL 'infinity'`;
  const membership = (loginRole: string) =>
    spec.iamAuthentication
      ? plpgsql(
          `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam') THEN\n` +
            `    RAISE EXCEPTION 'role rds_iam does not exist: IAM database authentication needs RDS for PostgreSQL (or set iamAuthentication to false)';\n` +
            '  END IF;\n' +
            `  IF NOT pg_catalog.pg_has_role(${quoteLiteral(loginRole)}, 'rds_iam', 'MEMBER') THEN\n` +
            `    GRANT rds_iam TO ${quoteIdentifier(loginRole)};\n` +
            '  END IF;',
        )
      : plpgsql(
          `  IF EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid\n` +
            `             JOIN pg_catalog.pg_roles u ON u.oid = m.member\n` +
            `             WHERE r.rolname = 'rds_iam' AND u.rolname = ${quoteLiteral(loginRole)}) THEN\n` +
            `    REVOKE rds_iam FROM ${quoteIdentifier(loginRole)};\n` +
            '  END IF;',
        );

  const statements: string[] = [
    // Roles.
    createRole(ownerName, false),
    alterRole(ownerName, false),
    ...logins.flatMap((name) => [createRole(name, true), alterRole(name, true)]),
    // The bootstrapping user acts for the owner: it grants on the owner's objects, sets its default
    // privileges and runs migrations with SET ROLE. (PostgreSQL 16+ gives a role's creator only
    // ADMIN on it, without INHERIT or SET.)
    plpgsql(
      `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid\n` +
        `                 WHERE r.rolname = ${quoteLiteral(ownerName)} AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)\n` +
        `                   AND m.inherit_option AND m.set_option) THEN\n` +
        `    GRANT ${owner} TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;\n` +
        '  END IF;',
    ),
    ...logins.map(membership),
    // Unqualified names resolve to the application schema only, never to public.
    ...logins.map((name) => `ALTER ROLE ${quoteIdentifier(name)} IN DATABASE ${db} SET search_path = ${schema}`),

    // The database: only the two roles (and its owner) connect; nobody creates schemas or temp tables.
    `REVOKE ${DATABASE_PRIVILEGES.join(', ')} ON DATABASE ${db} FROM PUBLIC`,
    ...[writer, reader].flatMap((role) => exactly(DATABASE_PRIVILEGES, ['CONNECT'], `DATABASE ${db}`, role)),
    // public: already closed for creation since PostgreSQL 15; kept closed in databases from older ones.
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',

    // The schema, owned by the owner role whoever created it.
    `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`,
    `ALTER SCHEMA ${schema} OWNER TO ${owner}`,
    `REVOKE ${SCHEMA_PRIVILEGES.join(', ')} ON SCHEMA ${schema} FROM PUBLIC`,
    ...[writer, reader].flatMap((role) => exactly(SCHEMA_PRIVILEGES, ['USAGE'], `SCHEMA ${schema}`, role)),
  ];

  // Tables and sequences that exist, then those the owner creates later.
  statements.push(
    `REVOKE ${TABLE_PRIVILEGES.join(', ')} ON ALL TABLES IN SCHEMA ${schema} FROM PUBLIC`,
    `REVOKE ${SEQUENCE_PRIVILEGES.join(', ')} ON ALL SEQUENCES IN SCHEMA ${schema} FROM PUBLIC`,
  );
  for (const { role, tables, sequences } of intendedPrivileges(spec)) {
    const name = quoteIdentifier(role);
    statements.push(
      ...exactly(TABLE_PRIVILEGES, tables, `ALL TABLES IN SCHEMA ${schema}`, name),
      ...exactly(SEQUENCE_PRIVILEGES, sequences, `ALL SEQUENCES IN SCHEMA ${schema}`, name),
    );
  }
  for (const { role, tables, sequences } of intendedPrivileges(spec)) {
    const name = quoteIdentifier(role);
    const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema}`;
    statements.push(
      ...exactly(TABLE_PRIVILEGES, tables, 'TABLES', name).map((s) => `${defaults} ${s}`),
      ...exactly(SEQUENCE_PRIVILEGES, sequences, 'SEQUENCES', name).map((s) => `${defaults} ${s}`),
    );
  }
  return statements;
}

/** One row of the privilege state: what it describes, and its value. */
interface StateRow {
  readonly item: string;
  readonly value: string;
}

/**
 * The privilege state the bootstrap manages, as `item -> value` rows: role attributes and
 * memberships, role settings, the database's and the schemas' owners and ACLs, the ACLs of every
 * table and sequence of the schema, and the owner's default privileges. Readable without
 * superuser (no pg_authid).
 */
const STATE_QUERY = `
WITH roles AS (SELECT unnest($1::text[]) AS rolname)
SELECT 'role ' || r.rolname AS item,
       coalesce((SELECT format('login=%s super=%s createrole=%s createdb=%s replication=%s bypassrls=%s inherit=%s connlimit=%s validuntil=%s',
                        a.rolcanlogin, a.rolsuper, a.rolcreaterole, a.rolcreatedb, a.rolreplication, a.rolbypassrls,
                        a.rolinherit, a.rolconnlimit, coalesce(a.rolvaliduntil::text, 'null'))
                 FROM pg_catalog.pg_roles a WHERE a.rolname = r.rolname), 'absent') AS value
  FROM roles r
UNION ALL
SELECT 'membership ' || u.rolname || ' in ' || g.rolname || ' granted by ' || pg_catalog.pg_get_userbyid(m.grantor),
       format('admin=%s inherit=%s set=%s', m.admin_option, m.inherit_option, m.set_option)
  FROM pg_catalog.pg_auth_members m
  JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
  JOIN pg_catalog.pg_roles u ON u.oid = m.member
 WHERE g.rolname IN (SELECT rolname FROM roles) OR u.rolname IN (SELECT rolname FROM roles)
UNION ALL
SELECT 'settings of ' || u.rolname, array_to_string(s.setconfig, ',')
  FROM pg_catalog.pg_db_role_setting s
  JOIN pg_catalog.pg_roles u ON u.oid = s.setrole
 WHERE s.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND u.rolname IN (SELECT rolname FROM roles)
UNION ALL
SELECT 'database ' || d.datname, format('owner=%s acl=%s', pg_catalog.pg_get_userbyid(d.datdba), coalesce(d.datacl::text, 'default'))
  FROM pg_catalog.pg_database d WHERE d.datname = current_database()
UNION ALL
SELECT 'schema ' || n.nspname, format('owner=%s acl=%s', pg_catalog.pg_get_userbyid(n.nspowner), coalesce(n.nspacl::text, 'default'))
  FROM pg_catalog.pg_namespace n WHERE n.nspname IN ($2, 'public')
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' ELSE 'table ' END || n.nspname || '.' || c.relname,
       format('owner=%s acl=%s', pg_catalog.pg_get_userbyid(c.relowner), coalesce(c.relacl::text, 'default'))
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT format('default privileges of %s in %s on %s', pg_catalog.pg_get_userbyid(da.defaclrole),
              coalesce(n.nspname, 'every schema'), da.defaclobjtype), da.defaclacl::text
  FROM pg_catalog.pg_default_acl da LEFT JOIN pg_catalog.pg_namespace n ON n.oid = da.defaclnamespace
 WHERE pg_catalog.pg_get_userbyid(da.defaclrole) IN (SELECT rolname FROM roles) OR n.nspname = $2
`;

/** The managed privilege state (see {@link STATE_QUERY}), item by item, sorted. */
export async function privilegeState(client: ClientBase, spec: BootstrapSpec): Promise<Map<string, string>> {
  const roles = [ownerRoleOf(spec), spec.writerRole, spec.readerRole];
  const { rows } = await client.query<StateRow>(STATE_QUERY, [roles, spec.schemaName]);
  return new Map(rows.map((row): [string, string] => [row.item, row.value]).sort(([a], [b]) => a.localeCompare(b)));
}

/** `item: before -> after` for every item that differs. */
export function stateChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const items = [...new Set([...before.keys(), ...after.keys()])].sort();
  return items
    .filter((item) => before.get(item) !== after.get(item))
    .map((item) => `${item}: ${before.get(item) ?? 'absent'} -> ${after.get(item) ?? 'absent'}`);
}

/** Preconditions the statements cannot express: checked inside the transaction, before they run. */
async function checkPreconditions(client: ClientBase, spec: BootstrapSpec): Promise<void> {
  const { rows } = await client.query<{ database: string; user: string; version: number }>(
    `SELECT current_database() AS database, current_user AS "user", current_setting('server_version_num')::int AS version`,
  );
  const [session] = rows;
  const problems: string[] = [];
  if (session === undefined) {
    throw new Error('the database did not describe the session');
  }
  if (session.version < 170000) {
    problems.push(`the server runs PostgreSQL ${session.version}; these statements need 17 or later (MAINTAIN)`);
  }
  if (session.database !== spec.databaseName) {
    problems.push(`connected to database "${session.database}", but the spec is for "${spec.databaseName}"`);
  }
  const managed = [ownerRoleOf(spec), spec.writerRole, spec.readerRole];
  if (managed.includes(session.user)) {
    problems.push(`the bootstrapping user "${session.user}" is one of the roles it would manage`);
  }
  // Attributes only a superuser may remove: refuse rather than leave them in place silently.
  const privileged = await client.query<{ rolname: string }>(
    `SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[]) AND (rolsuper OR rolreplication OR rolbypassrls)`,
    [managed],
  );
  for (const { rolname } of privileged.rows) {
    problems.push(
      `role "${rolname}" has SUPERUSER, REPLICATION or BYPASSRLS, which only a superuser can remove: an administrator must ALTER ROLE it first`,
    );
  }
  if (problems.length > 0) {
    throw new BootstrapSpecError(problems);
  }
}

/** Memberships a login role may have after the statements: rds_iam with IAM authentication, else none. */
async function checkMemberships(client: ClientBase, spec: BootstrapSpec): Promise<void> {
  const { rows } = await client.query<{ member: string; role: string }>(
    `SELECT u.rolname AS member, g.rolname AS role
       FROM pg_catalog.pg_auth_members m
       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
       JOIN pg_catalog.pg_roles u ON u.oid = m.member
      WHERE u.rolname = ANY($1::text[]) AND NOT ($2 AND g.rolname = 'rds_iam')
      ORDER BY 1, 2`,
    [[spec.writerRole, spec.readerRole, ownerRoleOf(spec)], spec.iamAuthentication],
  );
  if (rows.length > 0) {
    throw new BootstrapSpecError(
      rows.map(
        ({ member, role }) =>
          `role "${member}" is a member of "${role}", which gives it privileges beyond the spec: an administrator must REVOKE "${role}" FROM "${member}"`,
      ),
    );
  }
}

/**
 * Applies `spec` in one transaction: validates it (nothing runs for an invalid spec), checks the
 * preconditions, runs {@link bootstrapStatements} and reports what changed. Any failure rolls
 * everything back. Concurrent runs queue on an advisory lock; lock waits fail after `lockTimeout`
 * rather than hang behind the application's transactions.
 */
export async function applyBootstrap(
  client: ClientBase,
  spec: BootstrapSpec,
  options: { readonly lockTimeout?: string } = {},
): Promise<BootstrapResult> {
  const statements = bootstrapStatements(spec);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [options.lockTimeout ?? '30s']);
    // Any constant: it only serializes runs of this bootstrap against each other.
    await client.query('SELECT pg_advisory_xact_lock(7364917233)');
    await checkPreconditions(client, spec);
    const before = await privilegeState(client, spec);
    for (const statement of statements) {
      await client.query(statement);
    }
    await checkMemberships(client, spec);
    const after = await privilegeState(client, spec);
    await client.query('COMMIT');
    return { changes: stateChanges(before, after) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
