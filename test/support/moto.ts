import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { RDSClient } from '@aws-sdk/client-rds';
import { freePort } from './postgres';

/** The region the tests use; moto keeps one backend per region. */
export const MOTO_REGION = 'eu-west-1';

/** Fake credentials for a child process: moto accepts any. */
export const MOTO_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: MOTO_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
};

const INSTALL =
  "Install it with: pip install 'moto[server]' (moto 5.2 or later; the tests run the moto_server command)";

/** A moto server (AWS APIs on loopback) for one test file. */
export interface Moto {
  /** `http://localhost:<port>`: moto reads path-style URLs only with `localhost`. */
  readonly endpoint: string;
  /** An RDS client of moto. */
  readonly rds: RDSClient;
  /** Calls an EC2 query action (no EC2 client is installed) and returns the response XML. */
  ec2(action: string, params?: Readonly<Record<string, string>>): Promise<string>;
  /** Forgets every resource of every service. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `moto_server` on a free loopback port and waits until it answers.
 *
 * @throws when moto_server is not installed, with how to install it: the tests then fail rather than skip
 */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://localhost:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...MOTO_ENV },
  });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT' ? `moto_server is not on the PATH. ${INSTALL}` : `moto_server: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) =>
      // A pyenv shim without moto exits 127 with "command not found".
      reject(new Error(`moto_server exited with ${code} before it answered:\n${output}\n${INSTALL}`)),
    );
  });
  failed.catch(() => undefined); // settled by the race below, or after a normal stop
  try {
    await Promise.race([untilAnswering(`${endpoint}/moto-api/`, 30_000), failed]);
  } catch (error) {
    child.kill();
    throw error;
  }

  const rds = new RDSClient({
    region: MOTO_REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    rds,
    async ec2(action, params = {}) {
      const response = await fetch(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          // moto reads the region and service from the credential scope and checks no signature.
          Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${MOTO_REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`EC2 ${action}: HTTP ${response.status}: ${text}`);
      return text;
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset: HTTP ${response.status}`);
    },
    async stop() {
      rds.destroy();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function untilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One RDS query-protocol call that went through the proxy. */
export interface RecordedCall {
  readonly action: string;
  /** The form parameters, e.g. `VpcSecurityGroupIds.VpcSecurityGroupId.1`. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A proxy in front of moto that records every call and can report chosen DB instances in another
 * status than moto's: moto makes a restored instance `available` at once, where RDS keeps it
 * `creating` for minutes. The instance itself is moto's: created, described and deleted there.
 */
export interface RdsProxy {
  readonly endpoint: string;
  /** Every call so far, in order. */
  readonly calls: RecordedCall[];
  /** Reports instances whose identifier matches `pattern` as `status` while moto says `available`; undefined stops. */
  holdStatus(pattern: RegExp | undefined, status?: string): void;
  stop(): Promise<void>;
}

export async function startRdsProxy(target: string): Promise<RdsProxy> {
  const targetUrl = new URL(target);
  const calls: RecordedCall[] = [];
  let hold: { pattern: RegExp; status: string } | undefined;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const params = Object.fromEntries(new URLSearchParams(body.toString()));
      calls.push({ action: params.Action ?? '(none)', params });
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: targetUrl.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: targetUrl.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const text = rewrite(Buffer.concat(parts).toString(), hold);
            const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
            delete headers['transfer-encoding'];
            response.writeHead(answer.statusCode ?? 502, headers);
            response.end(text);
          });
        },
      );
      upstream.on('error', (error) => {
        response.writeHead(502);
        response.end(error.message);
      });
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://localhost:${port}`,
    calls,
    holdStatus(pattern, status = 'creating') {
      hold = pattern === undefined ? undefined : { pattern, status };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function rewrite(xml: string, hold: { pattern: RegExp; status: string } | undefined): string {
  if (hold === undefined) return xml;
  return xml.replace(/<DBInstance>[\s\S]*?<\/DBInstance>/g, (block) => {
    const id = /<DBInstanceIdentifier>([^<]*)<\/DBInstanceIdentifier>/.exec(block)?.[1];
    if (id === undefined || !hold.pattern.test(id)) return block;
    return block.replace(
      '<DBInstanceStatus>available</DBInstanceStatus>',
      `<DBInstanceStatus>${hold.status}</DBInstanceStatus>`,
    );
  });
}

/** A process environment in which the AWS SDK finds no credentials at all (no keys, files or profile). */
export const NO_CREDENTIALS_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  HOME: os.tmpdir(),
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

/** What a command run as a child process printed, and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `bin/<script>` as a user would, with only what it needs of the environment (no `LA_`
 * overrides or AWS profile of the developer's shell): moto's credentials and region, plus
 * `extraEnv`. `onStderr` sees stderr so far and may signal the child.
 */
export function runCommand(
  script: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
  onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('bin', script), ...args], {
      cwd: path.join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...MOTO_ENV, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
