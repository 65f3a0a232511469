import { checkHealth } from '../../../lib/health';

export const dynamic = 'force-dynamic';
// pg, node-redis and the AWS signers need Node's net, tls and dns.
export const runtime = 'nodejs';

/**
 * `GET /api/health`: `{"status":"ok"}` when the database (writer and reader) and the cache answer,
 * `{"status":"degraded"}` (with the failing check) otherwise — HTTP 200 either way while the process
 * serves, so that a dependency outage does not make the load balancer and ECS recycle every task.
 * The deployment probe requires `"status":"ok"` before a new revision gets production traffic.
 *
 * `GET /api/health?probe=liveness`: `{"status":"ok"}` without touching dependencies; the container
 * health check uses it.
 */
export async function GET(request: Request): Promise<Response> {
  const headers = { 'cache-control': 'no-store' };
  if (new URL(request.url).searchParams.get('probe') === 'liveness') {
    return Response.json({ status: 'ok' }, { headers });
  }
  return Response.json(await checkHealth(), { headers });
}
