import { checkCache } from './cache';
import type { CheckResult } from './check';
import { checkDatabase, type DatabaseCheck } from './db';

export type { CheckResult } from './check';
export type { DatabaseCheck } from './db';
export { checkCache } from './cache';
export { checkDatabase } from './db';

/** Body of `GET /api/health`. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly database: DatabaseCheck;
  readonly cache: CheckResult;
}

/**
 * Checks PostgreSQL (writer through RDS Proxy and reader on a replica, each with its own IAM token) and
 * the cache, in parallel. `degraded` when any check fails, including when the environment is incomplete
 * (the error names what is missing); the route still answers HTTP 200 so that a dependency outage does
 * not make the load balancer and ECS recycle every task.
 */
export async function checkHealth(
  checks: { database?: () => Promise<DatabaseCheck>; cache?: () => Promise<CheckResult> } = {},
): Promise<HealthReport> {
  const [database, cache] = await Promise.all([
    (checks.database ?? (() => checkDatabase()))(),
    (checks.cache ?? (() => checkCache()))(),
  ]);
  return { status: database.ok && cache.ok ? 'ok' : 'degraded', database, cache };
}
