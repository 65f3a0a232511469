import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmWithAnnotation } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { IWebService } from '../compute/web-service';
import type { ICacheCluster } from '../data/cache-cluster';
import type { IPostgresDatabase } from '../data/postgres-database';
import { actionOf, alarmable, alarmFactoryOf, anomalyAlarm, type AlarmDestinations } from './alarm-actions';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Thresholds of {@link ServiceAlarms}. */
export interface ServiceAlarmThresholds {
  /** Target 5xx rate, in percent. */
  readonly web5xxPercent: number;
  /** p99 target response time, in milliseconds. */
  readonly p99LatencyMs: number;
  /** Average service CPU utilization, in percent. */
  readonly webCpuPercent: number;
  /** Average service memory utilization, in percent. */
  readonly webMemoryPercent: number;
  /** Primary CPU utilization, in percent. */
  readonly dbCpuPercent: number;
  /** Primary freeable memory floor, in MiB. */
  readonly dbFreeableMemoryMiB: number;
  /** Primary free storage floor, in GiB. */
  readonly dbFreeStorageGiB: number;
  /** Primary connection count. */
  readonly dbConnections: number;
  /** Replica lag, in seconds. */
  readonly replicaLagSeconds: number;
  /** RDS Proxy connection setup failures per 5 minutes. */
  readonly proxyConnectionErrors: number;
  /** Cache host CPU, in percent. */
  readonly cacheCpuPercent: number;
  /** Cache engine CPU, in percent. */
  readonly cacheEngineCpuPercent: number;
  /** Cache memory used for data, in percent. */
  readonly cacheMemoryPercent: number;
  /** Cache evictions per 5 minutes. */
  readonly cacheEvictions: number;
  /** Cache replication lag, in seconds. */
  readonly cacheReplicationLagSeconds: number;
  /** Application error lines (JSON `level` = `error`) per 5 minutes. */
  readonly appErrors: number;
  /** Width of the anomaly bands, in standard deviations. */
  readonly anomalyStandardDeviations: number;
}

/** Properties of {@link ServiceAlarms}. */
export interface ServiceAlarmsProps extends AlarmDestinations {
  /** Prefix of every alarm name, e.g. `shop-prod`. */
  readonly alarmNamePrefix: string;
  /** The web service. */
  readonly web: IWebService;
  /** The service's lower task bound: fewer running tasks alarm. */
  readonly minTasks: number;
  /** The database. */
  readonly database: IPostgresDatabase;
  /** Whether the database has read replicas (only replicas publish `ReplicaLag`). */
  readonly databaseReplicas: boolean;
  /** The cache. */
  readonly cache: ICacheCluster;
  /** Whether the cache has replicas (only replicas publish `ReplicationLag`). */
  readonly cacheReplicas: boolean;
  /** Thresholds. */
  readonly thresholds: ServiceAlarmThresholds;
  /**
   * More alarms over what users see, built elsewhere (an outside-in check, an SLO's fast burn):
   * the composite `ServiceDegraded` alarm pages on them too, so their incidents page once with the
   * rest. Give them no actions of their own.
   *
   * @default - none
   */
  readonly additionalUserFacingAlarms?: readonly cloudwatch.IAlarm[];
  /**
   * The success rate of an outside-in check of the public site, in percent per run (a Synthetics
   * canary's `SuccessPercent`, with the canary's rate as its period). Two failed runs in a row
   * alarm, and the alarm is user-facing: it pages through `ServiceDegraded`.
   *
   * @default - no site check alarm
   */
  readonly siteCheckSuccessPercent?: cloudwatch.IMetric;
  /**
   * The number of runs of that check that reported (`SampleCount` of `SuccessPercent`, over an hour).
   * None in a period alarms and notifies: the check stopped (left stopped by an update or a rollback,
   * or by hand), which its success alarm cannot tell from a quiet period.
   *
   * @default - no alarm on missing runs
   */
  readonly siteCheckRuns?: cloudwatch.IMetric;
}

/**
 * The alarms of a web service and its data stores, built with `cdk-monitoring-constructs`'
 * `AlarmFactory` on the constructs' own metrics:
 *
 * - component alarms (web, database, cache) and anomaly alarms on request count and latency notify
 *   `notificationTopic`, on ALARM and on OK;
 * - the composite `ServiceDegraded` alarm, ALARM when any user-facing alarm is (5xx rate, p99
 *   latency, unhealthy hosts, running tasks below the minimum), pages `pagingTopic`: one incident
 *   that trips several of them pages once;
 * - the composite `DeploymentRollback` alarm, ALARM when a deployment-rollback alarm of the service
 *   is, notifies: the rollback alarms themselves keep no action but rolling back (their stack cannot
 *   name a topic of a stack that reads its metrics).
 *
 * Without topics every alarm is created with actions disabled and none attached.
 */
export class ServiceAlarms extends Construct {
  /** The user-facing alarms the composite pages on. */
  public readonly userFacingAlarms: readonly cloudwatch.AlarmBase[];
  /** Every alarm that notifies (component, anomaly, rollback composite). */
  public readonly notifyingAlarms: readonly cloudwatch.AlarmBase[];
  /** The composite alarm that pages. */
  public readonly serviceDegraded: cloudwatch.CompositeAlarm;
  /** The composite alarm over the deployment-rollback alarms. */
  public readonly deploymentRollback?: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const { web, database, cache } = props;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const below = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    const missing = cloudwatch.TreatMissingData.MISSING;
    const notBreaching = cloudwatch.TreatMissingData.NOT_BREACHING;

    const webAlarms = alarmFactoryOf(this, props.alarmNamePrefix, 'Web', props);
    // No 5xx and no requests both leave the rate without data: all is well (see metricTarget5xxRate).
    const web5xx = webAlarms.addAlarm(alarmable(this, web.metricTarget5xxRate()), {
      alarmNameSuffix: '5xxRate',
      alarmDescription: `More than ${t.web5xxPercent}% of the answers of the tasks are 5xx`,
      threshold: t.web5xxPercent,
      comparisonOperator: above,
      treatMissingData: notBreaching,
    });
    const latency = webAlarms.addAlarm(alarmable(this, web.metricTargetResponseTimeP99()), {
      alarmNameSuffix: 'LatencyP99',
      alarmDescription: `p99 target response time above ${t.p99LatencyMs} ms`,
      threshold: t.p99LatencyMs / 1000,
      comparisonOperator: above,
      treatMissingData: notBreaching,
    });
    const unhealthy = webAlarms.addAlarm(alarmable(this, web.metricUnhealthyHostCount()), {
      alarmNameSuffix: 'UnhealthyHosts',
      alarmDescription: 'The load balancer has found tasks unhealthy for 15 minutes',
      threshold: 0,
      comparisonOperator: above,
      treatMissingData: notBreaching,
    });
    // Container Insights reports the count every minute while the service exists: no data for 15
    // minutes means the service or its telemetry is gone, which is worth a page too.
    const running = webAlarms.addAlarm(alarmable(this, web.metricRunningTaskCount()), {
      alarmNameSuffix: 'RunningTasks',
      alarmDescription: `Fewer than ${props.minTasks} tasks (the minimum) running for 15 minutes`,
      threshold: props.minTasks,
      comparisonOperator: below,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const webCpu = webAlarms.addAlarm(alarmable(this, web.metricCpuUtilization()), {
      alarmNameSuffix: 'Cpu',
      alarmDescription: `Service CPU above ${t.webCpuPercent}% (autoscaling at its maximum, or tasks too small)`,
      threshold: t.webCpuPercent,
      comparisonOperator: above,
      treatMissingData: missing,
    });
    const webMemory = webAlarms.addAlarm(alarmable(this, web.metricMemoryUtilization()), {
      alarmNameSuffix: 'Memory',
      alarmDescription: `Service memory above ${t.webMemoryPercent}%`,
      threshold: t.webMemoryPercent,
      comparisonOperator: above,
      treatMissingData: missing,
    });

    // The app's own account of failures: errors it logged, whatever status it answered with.
    const appErrors = webAlarms.addAlarm(alarmable(this, web.metricApplicationErrors()), {
      alarmNameSuffix: 'ApplicationErrors',
      alarmDescription: `The application logged more than ${t.appErrors} errors per 5 minutes (query "Errors by route")`,
      threshold: t.appErrors,
      comparisonOperator: above,
      treatMissingData: notBreaching,
    });

    const anomalies = [
      anomalyAlarm(this, 'RequestCountAnomaly', {
        alarmName: `${props.alarmNamePrefix}-Web-RequestCountAnomaly`,
        alarmDescription: 'Request count outside its expected band (a traffic drop is as suspicious as a surge)',
        metric: web.metricRequestCount(),
        standardDeviations: t.anomalyStandardDeviations,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
        notificationTopic: props.notificationTopic,
      }),
      anomalyAlarm(this, 'LatencyAnomaly', {
        alarmName: `${props.alarmNamePrefix}-Web-LatencyAnomaly`,
        alarmDescription: 'p99 target response time above its expected band',
        metric: web.metricTargetResponseTimeP99(),
        standardDeviations: t.anomalyStandardDeviations,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
        notificationTopic: props.notificationTopic,
      }),
    ];

    const databaseAlarms = alarmFactoryOf(this, props.alarmNamePrefix, 'Database', props);
    const databaseList: AlarmWithAnnotation[] = [
      databaseAlarms.addAlarm(alarmable(this, database.metricCPUUtilization()), {
        alarmNameSuffix: 'Cpu',
        alarmDescription: `Primary CPU above ${t.dbCpuPercent}%`,
        threshold: t.dbCpuPercent,
        comparisonOperator: above,
        treatMissingData: missing,
      }),
      databaseAlarms.addAlarm(alarmable(this, database.metricFreeableMemory()), {
        alarmNameSuffix: 'FreeableMemory',
        alarmDescription: `Primary freeable memory below ${t.dbFreeableMemoryMiB} MiB`,
        threshold: t.dbFreeableMemoryMiB * MIB,
        comparisonOperator: below,
        treatMissingData: missing,
      }),
      databaseAlarms.addAlarm(alarmable(this, database.metricFreeStorageSpace()), {
        alarmNameSuffix: 'FreeStorage',
        alarmDescription: `Primary free storage below ${t.dbFreeStorageGiB} GiB (autoscaling at its maximum?)`,
        threshold: t.dbFreeStorageGiB * GIB,
        comparisonOperator: below,
        treatMissingData: missing,
      }),
      databaseAlarms.addAlarm(alarmable(this, database.metricDatabaseConnections()), {
        alarmNameSuffix: 'Connections',
        alarmDescription: `More than ${t.dbConnections} connections to the primary`,
        threshold: t.dbConnections,
        comparisonOperator: above,
        treatMissingData: missing,
      }),
      databaseAlarms.addAlarm(alarmable(this, database.metricProxyDatabaseConnectionsSetupFailed()), {
        alarmNameSuffix: 'ProxyConnectionErrors',
        alarmDescription: `RDS Proxy failed to open more than ${t.proxyConnectionErrors} database connections in 5 minutes`,
        threshold: t.proxyConnectionErrors,
        comparisonOperator: above,
        treatMissingData: notBreaching,
        // One bad period is already an outage of new connections.
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      }),
    ];
    if (props.databaseReplicas) {
      databaseList.push(
        databaseAlarms.addAlarm(alarmable(this, database.metricReplicaLag()), {
          alarmNameSuffix: 'ReplicaLag',
          alarmDescription: `A read replica lags more than ${t.replicaLagSeconds} s`,
          threshold: t.replicaLagSeconds,
          comparisonOperator: above,
          treatMissingData: missing,
        }),
      );
    }

    const cacheAlarms = alarmFactoryOf(this, props.alarmNamePrefix, 'Cache', props);
    const cacheList: AlarmWithAnnotation[] = [
      cacheAlarms.addAlarm(alarmable(this, cache.metricCPUUtilization()), {
        alarmNameSuffix: 'Cpu',
        alarmDescription: `A cache node's host CPU above ${t.cacheCpuPercent}%`,
        threshold: t.cacheCpuPercent,
        comparisonOperator: above,
        treatMissingData: missing,
      }),
      cacheAlarms.addAlarm(alarmable(this, cache.metricEngineCPUUtilization()), {
        alarmNameSuffix: 'EngineCpu',
        alarmDescription: `A cache node's engine CPU above ${t.cacheEngineCpuPercent}%`,
        threshold: t.cacheEngineCpuPercent,
        comparisonOperator: above,
        treatMissingData: missing,
      }),
      cacheAlarms.addAlarm(alarmable(this, cache.metricDatabaseMemoryUsagePercentage()), {
        alarmNameSuffix: 'Memory',
        alarmDescription: `A cache node uses more than ${t.cacheMemoryPercent}% of its memory for data`,
        threshold: t.cacheMemoryPercent,
        comparisonOperator: above,
        treatMissingData: missing,
      }),
      cacheAlarms.addAlarm(alarmable(this, cache.metricEvictions()), {
        alarmNameSuffix: 'Evictions',
        alarmDescription: `The cache evicts more than ${t.cacheEvictions} keys per 5 minutes`,
        threshold: t.cacheEvictions,
        comparisonOperator: above,
        treatMissingData: notBreaching,
      }),
    ];
    if (props.cacheReplicas) {
      cacheList.push(
        cacheAlarms.addAlarm(alarmable(this, cache.metricReplicationLag()), {
          alarmNameSuffix: 'ReplicationLag',
          alarmDescription: `A cache replica lags more than ${t.cacheReplicationLagSeconds} s`,
          threshold: t.cacheReplicationLagSeconds,
          comparisonOperator: above,
          treatMissingData: missing,
        }),
      );
    }

    // No data means no run finished (the canary is being created or updated): not a failure. A
    // canary left stopped therefore goes unnoticed here; its starter restarts it on every update.
    const siteCheck =
      props.siteCheckSuccessPercent &&
      webAlarms.addAlarm(alarmable(this, props.siteCheckSuccessPercent), {
        alarmNameSuffix: 'SiteCheck',
        alarmDescription: 'The public site failed its outside-in check (page and /api/health) twice in a row',
        threshold: 100,
        comparisonOperator: below,
        treatMissingData: notBreaching,
        datapointsToAlarm: 2,
        evaluationPeriods: 2,
      });
    // Missing data is the signal here. On the first deploy it alarms (notifies) until the first runs.
    const siteCheckRuns =
      props.siteCheckRuns &&
      webAlarms.addAlarm(alarmable(this, props.siteCheckRuns), {
        alarmNameSuffix: 'SiteCheckStopped',
        alarmDescription:
          'The outside-in check of the public site reported no run for an hour: the canary is stopped (start it: aws synthetics start-canary)',
        threshold: 1,
        comparisonOperator: below,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      });
    this.userFacingAlarms = [web5xx, latency, unhealthy, running, ...(siteCheck ? [siteCheck] : [])].map(
      (a) => a.alarm,
    );
    const serviceDegradedName = `${props.alarmNamePrefix}-Web-ServiceDegraded`;
    const additional = props.additionalUserFacingAlarms ?? [];
    this.serviceDegraded = new cloudwatch.CompositeAlarm(this, serviceDegradedName, {
      compositeAlarmName: serviceDegradedName,
      alarmDescription: `The service is degraded for users: 5xx rate, p99 latency, unhealthy tasks or too few running tasks${
        additional.length > 0 ? ', or ' + additional.map((a) => a.alarmName).join(', ') : ''
      }. Pages once per incident; the component alarms say which.`,
      alarmRule: cloudwatch.AlarmRule.anyOf(
        ...[...this.userFacingAlarms, ...additional].map((a) =>
          cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM),
        ),
      ),
      actionsEnabled: props.pagingTopic !== undefined,
    });
    const paging = actionOf(props.pagingTopic);
    paging.addAlarmActions({ alarm: this.serviceDegraded, action: paging });

    const rollbackAlarms = web.rollbackAlarms;
    if (rollbackAlarms.length > 0) {
      this.deploymentRollback = new cloudwatch.CompositeAlarm(this, 'DeploymentRollback', {
        compositeAlarmName: `${props.alarmNamePrefix}-Web-DeploymentRollback`,
        alarmDescription:
          'A deployment-rollback alarm fired: ECS rolls the deployment back; this alarm only tells people.',
        alarmRule: cloudwatch.AlarmRule.anyOf(
          ...rollbackAlarms.map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM)),
        ),
        actionsEnabled: props.notificationTopic !== undefined,
      });
      const action = actionOf(props.notificationTopic);
      action.addAlarmActions({ alarm: this.deploymentRollback, action });
    }

    this.notifyingAlarms = [
      ...[
        web5xx,
        latency,
        unhealthy,
        running,
        ...(siteCheck ? [siteCheck] : []),
        ...(siteCheckRuns ? [siteCheckRuns] : []),
        webCpu,
        webMemory,
        appErrors,
        ...databaseList,
        ...cacheList,
      ].map((a) => a.alarm),
      ...anomalies,
      ...(this.deploymentRollback ? [this.deploymentRollback] : []),
    ];
  }
}
