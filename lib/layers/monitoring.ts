import type * as logs from 'aws-cdk-lib/aws-logs';
import { canaryNameOf, publicHostOf, resourcePrefixOf, type EnvironmentConfig } from '../../config';
import type { ComputeStack, DataStack, EdgeStack, EnvironmentStackProps, MonitoringStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';

/** Who the alarms of the environment reach, in every region that has alarms. */
export function alarmRecipientsOf(config: EnvironmentConfig): MonitoringStackProps['recipients'] {
  const { monitoring } = config;
  return { paging: monitoring.paging, emails: [...monitoring.emails], slack: monitoring.slack };
}

/** Monitoring layer props, wired to the compute, data and edge layers of the same environment. */
export function monitoringProps(
  config: EnvironmentConfig,
  compute: ComputeStack,
  data: DataStack,
  edge: EdgeStack,
): Omit<MonitoringStackProps, keyof EnvironmentStackProps> {
  const { thresholds, slo, syntheticCheck } = config.monitoring;
  // Without a domain the canary checks the distribution's own name (read from the edge stack).
  const publicHost = publicHostOf(config) ?? edge.distribution.domainName;
  return {
    name: resourcePrefixOf(config),
    recipients: alarmRecipientsOf(config),
    web: compute.web,
    minTasks: config.compute.minTasks,
    database: data.database,
    databaseReplicas: config.database.readReplicas > 0,
    cache: data.cache,
    cacheReplicas: config.cache.replicasPerShard > 0,
    thresholds: {
      web5xxPercent: thresholds.web5xxPercent,
      p99LatencyMs: thresholds.p99LatencyMs,
      webCpuPercent: thresholds.webCpuPercent,
      webMemoryPercent: thresholds.webMemoryPercent,
      dbCpuPercent: thresholds.dbCpuPercent,
      dbFreeableMemoryMiB: thresholds.dbFreeableMemoryMiB,
      dbFreeStorageGiB: thresholds.dbFreeStorageGiB,
      dbConnections: thresholds.dbConnections,
      replicaLagSeconds: thresholds.replicaLagSeconds,
      proxyConnectionErrors: thresholds.proxyConnectionErrors,
      cacheCpuPercent: thresholds.cacheCpuPercent,
      cacheEngineCpuPercent: thresholds.cacheEngineCpuPercent,
      cacheMemoryPercent: thresholds.cacheMemoryPercent,
      cacheEvictions: thresholds.cacheEvictions,
      cacheReplicationLagSeconds: thresholds.cacheReplicationLagSeconds,
      appErrors: thresholds.appErrors,
      anomalyStandardDeviations: thresholds.anomalyStandardDeviations,
    },
    edge: {
      distribution: edge.distribution,
      webAcl: edge.webAcl,
      distributionOriginLatency: config.monitoring.cloudFrontAdditionalMetrics,
    },
    slo: {
      availabilityPercent: slo.availabilityPercent,
      latencyThresholdMs: slo.latencyThresholdMs,
      latencyPercent: slo.latencyPercent,
      minimumRequestsPerHour: slo.minimumRequestsPerHour,
    },
    syntheticCheck: syntheticCheck.enabled
      ? {
          canaryName: canaryNameOf(config),
          baseUrl: `https://${publicHost}`,
          rateMinutes: syntheticCheck.rateMinutes,
          logRetention: config.logRetentionDays as logs.RetentionDays,
        }
      : undefined,
    backupPlan: data.backupPlan,
    monthlyBudgetUsd: config.monitoring.monthlyBudgetUsd,
    environmentTag: config.tags.Environment,
    removalPolicy: removalPolicyOf(config),
    keyAdministrators: keyAdministratorsOf(config),
  };
}
