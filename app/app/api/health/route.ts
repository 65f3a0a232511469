import { checkCache, checkDatabase } from '../../../lib/health';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/health`: 200 `{"status":"ok"}` when the database and the cache answer, 503
 * `{"status":"degraded"}` otherwise. The load balancer and the deployment probe use it.
 *
 * `GET /api/health?probe=liveness`: 200 as long as the process serves requests; the container
 * health check uses it, so that an outage of a dependency does not make ECS replace every task.
 */
export async function GET(request: Request): Promise<Response> {
  const headers = { 'cache-control': 'no-store' };
  if (new URL(request.url).searchParams.get('probe') === 'liveness') {
    return Response.json({ status: 'ok' }, { headers });
  }
  const [database, cache] = await Promise.all([checkDatabase(), checkCache()]);
  const ok = database.ok && cache.ok;
  return Response.json({ status: ok ? 'ok' : 'degraded', database, cache }, { status: ok ? 200 : 503, headers });
}
