/**
 * CloudFormation custom resource (through the aws-cdk-lib Provider framework): applies the
 * database bootstrap (bootstrap-sql.ts) to the primary with the master credential.
 *
 * Create and Update apply the spec; Delete keeps the roles (see DatabaseBootstrap). Bundled by
 * esbuild with `pg`; the AWS SDK v3 Secrets Manager client comes with the Lambda runtime (left out
 * of the bundle).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { applyBootstrap, validateBootstrapSpec, type BootstrapSpec } from './bootstrap-sql';

/** What the Provider framework passes on (the fields this handler reads). */
export interface BootstrapEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: {
    /** The spec as JSON: CloudFormation turns every scalar property into a string. */
    readonly Spec: string;
    /** Host name of the primary (not the secret's: that one is written after the instance exists). */
    readonly Host: string;
    readonly Port: string;
    /** Changes whenever the statements do; read by CloudFormation, not here. */
    readonly Digest?: string;
  };
}

/** What the framework sends back to CloudFormation. `Data` stays far below the 4 KB response limit. */
export interface BootstrapResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Changes: number; readonly Summary: string };
}

/** The master credential's fields the bootstrap uses (the CDK DatabaseSecret JSON). */
export interface MasterCredential {
  readonly username: string;
  readonly password: string;
}

/**
 * `GetSecretValue` of `secretId` (ARN), parsed as the master credential JSON. The error names the
 * service's error type and message, never the secret.
 */
export async function fetchMasterCredential(
  secretId: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<MasterCredential> {
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(`Secrets Manager GetSecretValue failed: ${name}: ${message}`, { cause: error });
  }
  const secret = JSON.parse(secretString ?? '{}') as Partial<MasterCredential>;
  if (typeof secret.username !== 'string' || typeof secret.password !== 'string') {
    throw new Error('the master secret has no username and password');
  }
  return { username: secret.username, password: secret.password };
}

/** The spec from the resource's properties, validated before anything connects. */
export function specOf(properties: BootstrapEvent['ResourceProperties']): BootstrapSpec {
  const spec = JSON.parse(properties.Spec) as BootstrapSpec;
  validateBootstrapSpec(spec);
  return spec;
}

/** `changes`, one per line, cut to fit in the response. */
export function summarize(changes: readonly string[], limit = 2000): string {
  const text = changes.length === 0 ? 'no changes' : changes.join('\n');
  return text.length <= limit
    ? text
    : `${text.slice(0, limit - 40)}\n... (${changes.length} changes in all, see the log)`;
}

export async function handler(event: BootstrapEvent): Promise<BootstrapResponse> {
  const physicalResourceId = event.PhysicalResourceId ?? 'database-bootstrap';
  if (event.RequestType === 'Delete') {
    // The roles stay: see DatabaseBootstrap for why.
    console.log(JSON.stringify({ request: 'Delete', result: 'roles kept' }));
    return { PhysicalResourceId: physicalResourceId };
  }
  const properties = event.ResourceProperties;
  const spec = specOf(properties);
  const secretArn = process.env.MASTER_SECRET_ARN;
  if (secretArn === undefined || secretArn === '') {
    throw new Error('MASTER_SECRET_ARN is not set');
  }
  const credential = await fetchMasterCredential(secretArn);
  const client = new Client({
    host: properties.Host,
    port: Number(properties.Port),
    database: spec.databaseName,
    user: credential.username,
    password: credential.password,
    // RDS forces TLS; the RDS CAs come from the runtime's bundle (NODE_EXTRA_CA_CERTS), so the
    // server's certificate and host name are verified.
    ssl: { rejectUnauthorized: true, servername: properties.Host },
    connectionTimeoutMillis: 15_000,
    statement_timeout: 60_000,
    application_name: 'database-bootstrap',
  });
  await client.connect();
  try {
    const { changes } = await applyBootstrap(client, spec);
    console.log(JSON.stringify({ request: event.RequestType, spec, changes }));
    return { PhysicalResourceId: physicalResourceId, Data: { Changes: changes.length, Summary: summarize(changes) } };
  } finally {
    await client.end();
  }
}
