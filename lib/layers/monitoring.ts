import { resourcePrefixOf, type EnvironmentConfig } from '../../config';
import type { ComputeStack, DataStack, EnvironmentStackProps, MonitoringStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';

/** Who the alarms of the environment reach, in every region that has alarms. */
export function alarmRecipientsOf(config: EnvironmentConfig): MonitoringStackProps['recipients'] {
  const { monitoring } = config;
  return { paging: monitoring.paging, emails: [...monitoring.emails], slack: monitoring.slack };
}

/** Monitoring layer props, wired to the compute and data layers of the same environment. */
export function monitoringProps(
  config: EnvironmentConfig,
  compute: ComputeStack,
  data: DataStack,
): Omit<MonitoringStackProps, keyof EnvironmentStackProps> {
  const { thresholds } = config.monitoring;
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
    monthlyBudgetUsd: config.monitoring.monthlyBudgetUsd,
    environmentTag: config.tags.Environment,
    removalPolicy: removalPolicyOf(config),
    keyAdministrators: keyAdministratorsOf(config),
  };
}
