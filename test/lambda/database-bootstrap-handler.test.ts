import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  fetchMasterCredential,
  handler,
  summarize,
  type BootstrapEvent,
} from '../../constructs/data/lambda/database-bootstrap';

// The handler's own pieces. The SQL runs against a real PostgreSQL in database-bootstrap-sql.test.ts;
// the connection here would need RDS's TLS, so the handler is exercised up to it.

const SPEC = JSON.stringify({
  databaseName: 'app',
  schemaName: 'app',
  writerRole: 'app_writer',
  readerRole: 'app_reader',
  iamAuthentication: true,
});
const event = (overrides: Partial<BootstrapEvent> = {}): BootstrapEvent => ({
  RequestType: 'Create',
  ResourceProperties: { Spec: SPEC, Host: 'db.example.invalid', Port: '5432' },
  ...overrides,
});

/** A local endpoint that answers GetSecretValue like Secrets Manager, recording what it was sent. */
async function fakeEndpoint(answer: { status: number; body: unknown }) {
  const requests: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The real SDK client, pointed at the local endpoint: what goes over the wire is the SDK's own.
  const client = new SecretsManagerClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
    maxAttempts: 1,
  });
  return { requests, client, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('database bootstrap handler', () => {
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('Delete keeps the roles: it answers without touching the database or the secret', async () => {
    await expect(handler(event({ RequestType: 'Delete', PhysicalResourceId: 'database-bootstrap' }))).resolves.toEqual({
      PhysicalResourceId: 'database-bootstrap',
    });
  });

  test('an invalid spec fails before the secret is read or anything connects', async () => {
    const bad = JSON.stringify({ ...JSON.parse(SPEC), writerRole: 'app-writer;drop' });
    await expect(handler(event({ ResourceProperties: { Spec: bad, Host: 'h', Port: '5432' } }))).rejects.toThrow(
      /spec rejected, nothing was changed:\n- writerRole "app-writer;drop" is not a plain identifier/,
    );
  });

  test('reads the master credential with the SDK client: a signed GetSecretValue call', async () => {
    const endpoint = await fakeEndpoint({
      status: 200,
      body: { SecretString: JSON.stringify({ username: 'app_admin', password: 'pw', host: 'h', port: 5432 }) },
    });
    try {
      await expect(
        fetchMasterCredential('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db', endpoint.client),
      ).resolves.toEqual({
        username: 'app_admin',
        password: 'pw',
      });
      const [request] = endpoint.requests;
      expect(JSON.parse(request!.body)).toEqual({
        SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
      });
      expect(request!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(request!.headers['x-amz-security-token']).toBe('session-token');
      expect(request!.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      await endpoint.close();
    }
  });

  test('a refused GetSecretValue fails with the service error, never a secret', async () => {
    const endpoint = await fakeEndpoint({
      status: 400,
      body: { __type: 'AccessDeniedException', message: 'not authorized' },
    });
    try {
      await expect(fetchMasterCredential('arn:secret', endpoint.client)).rejects.toThrow(
        /GetSecretValue failed: AccessDeniedException: not authorized/,
      );
    } finally {
      await endpoint.close();
    }
  });

  test('the summary fits in the response', () => {
    expect(summarize([])).toBe('no changes');
    const long = summarize(Array.from({ length: 500 }, (_, i) => `table app.t${i}: a -> b`));
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(long).toMatch(/\(500 changes in all, see the log\)$/);
  });
});
