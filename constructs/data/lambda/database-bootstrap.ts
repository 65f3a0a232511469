/**
 * CloudFormation custom resource (through the aws-cdk-lib Provider framework): applies the
 * database bootstrap (bootstrap-sql.ts) to the primary with the master credential.
 *
 * Create and Update apply the spec; Delete keeps the roles (see DatabaseBootstrap). Bundled by
 * esbuild with `pg`; the master secret is read with a signed Secrets Manager call of its own (the
 * installed signer, no SDK client), so nothing depends on the SDK version the runtime ships.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
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

/** AWS credentials and region, as Lambda puts them in the environment. */
export interface AwsEnvironment {
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Secrets Manager endpoint, e.g. `https://secretsmanager.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
}

export function awsEnvironment(env: Record<string, string | undefined>): AwsEnvironment {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new Error(`${name} is not set`);
    }
    return value;
  };
  return {
    region: required('AWS_REGION'),
    accessKeyId: required('AWS_ACCESS_KEY_ID'),
    secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
    sessionToken: env.AWS_SESSION_TOKEN,
    endpoint: required('SECRETS_MANAGER_ENDPOINT'),
  };
}

/** `GetSecretValue` of `secretId` (ARN), parsed as the master credential JSON. */
export async function fetchMasterCredential(secretId: string, aws: AwsEnvironment): Promise<MasterCredential> {
  const url = new URL(aws.endpoint);
  const body = JSON.stringify({ SecretId: secretId });
  const signer = new SignatureV4({
    service: 'secretsmanager',
    region: aws.region,
    sha256: Sha256,
    credentials: {
      accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey,
      sessionToken: aws.sessionToken,
    },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.GetSecretValue',
    },
    body,
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) {
    // The error body names the error type and message, never the secret.
    throw new Error(`Secrets Manager GetSecretValue failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
  const secret = JSON.parse(
    (JSON.parse(text) as { SecretString?: string }).SecretString ?? '{}',
  ) as Partial<MasterCredential>;
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
  const credential = await fetchMasterCredential(secretArn, awsEnvironment(process.env));
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
