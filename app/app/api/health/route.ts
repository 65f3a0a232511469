import { checkHealth } from '../../../lib/health';
import { log } from '../../../lib/log';
import { withRequestLog } from '../../../lib/request-log';

const ROUTE = '/api/health';

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
 *
 * The container health check and the load balancer call this route every few seconds: successful calls
 * are logged at `debug`; a degraded report is a `warn` record naming the failing checks.
 */
export const GET = withRequestLog(
  ROUTE,
  async (request: Request): Promise<Response> => {
    const headers = { 'cache-control': 'no-store' };
    if (new URL(request.url).searchParams.get('probe') === 'liveness') {
      return Response.json({ status: 'ok' }, { headers });
    }
    const report = await checkHealth();
    if (report.status !== 'ok') {
      const failures = [
        ...(report.database.writer.ok ? [] : [`database writer: ${report.database.writer.error}`]),
        ...(report.database.reader.ok ? [] : [`database reader: ${report.database.reader.error}`]),
        ...(report.cache.ok ? [] : [`cache: ${report.cache.error}`]),
      ];
      log.warn(`health degraded: ${failures.join('; ')}`, { route: ROUTE, method: request.method });
    }
    return Response.json(report, { headers });
  },
  { successLevel: 'debug' },
);
