import type { IConstruct } from 'constructs';
import { StaleAcknowledgmentError, staleAcknowledgments } from './acknowledgments';
import type { BuiltApp } from './app';
import { isBlocking, reportedViolations } from './validation-report';

/**
 * Findings and constructs that follow from an environment's configuration, with the config field
 * that decides them. A finding such as "RDS instance is not Multi-AZ" in an environment whose config
 * turned `database.multiAz` off is fixed in config, not by acknowledging it, so the message says so.
 */
export const CONFIG_FIELD_HINTS: ReadonlyArray<{
  readonly match: RegExp;
  readonly field: string;
  readonly why: string;
}> = [
  { match: /RDS3\b|RDSMultiAZSupport|multi_az_support/, field: 'database.multiAz', why: 'a Multi-AZ standby' },
  {
    match: /RDS10\b|RDSInstanceDeletionProtection|rds_instance_deletion_protection/,
    field: 'database.deletionProtection',
    why: 'deletion protection of the database',
  },
  {
    match: /RDSEnhancedMonitoring|enhanced_monitoring/,
    field: 'database.monitoringIntervalSeconds',
    why: 'enhanced monitoring (an interval above 0)',
  },
  { match: /RDSInstanceBackup|backup_enabled/, field: 'database.backupRetentionDays', why: 'automated backups' },
  { match: /AEC4\b|auto_failover/, field: 'cache.multiAz', why: 'cache failover across AZs' },
  {
    match: /ElastiCacheRedisClusterAutomaticBackup|elasticache_redis_cluster_automatic_backup/,
    field: 'cache.snapshotRetentionDays',
    why: 'cache snapshots kept 15 days or more',
  },
  {
    match: /CloudWatchLogGroupRetentionPeriod|loggroup_retention/,
    field: 'logRetentionDays / network.flowLogRetentionDays',
    why: 'log retention of a year or more',
  },
  {
    match: /ELBDeletionProtection|elb_deletion_protection/,
    field: 'compute.deletionProtection',
    why: 'deletion protection of the load balancer',
  },
  {
    match: /ALBHttpToHttpsRedirection|ELBv2ACMCertificateRequired|http_to_https|CFR4\b|viewer_policy/,
    field: 'domain',
    why: 'HTTPS with our own certificate, which needs a domain',
  },
  { match: /CFR1\b/, field: 'edge.geoRestriction', why: 'geo restriction' },
  {
    match: /\/(DeploymentProbe|DeploymentRole|TestListener|RollbackAlarms)\b/,
    field: 'compute.deployment.strategy',
    why: 'blue-green, canary and linear deployments have a test listener, a probe and rollback alarms; rolling has none',
  },
  {
    match: /\/Database\/Replicas\b/,
    field: 'database.readReplicas',
    why: 'read replicas exist only when it is above 0',
  },
  { match: /\/(Certificate|Records|HealthCheck)\b/, field: 'domain', why: 'they exist only with a domain' },
];

/** The config field behind a finding (rule name) or construct path, as `field (why)`. */
export function configFieldHint(text: string): string | undefined {
  const hint = CONFIG_FIELD_HINTS.find(({ match }) => match.test(text));
  return hint && `${hint.field} (${hint.why})`;
}

/** The environment a construct path belongs to, by its stage: `Prod/Data/...` -> `prod`. */
function environmentOf(built: BuiltApp<string>, constructPath: string): string | undefined {
  const stageId = constructPath.split('/')[0];
  return Object.entries(built.stages).find(([, stage]) => stage?.node.id === stageId)?.[0];
}

/**
 * Hints for stale acknowledgments whose construct or finding follows from a config choice (a rolling
 * deployment has no deployment probe): the entry's condition (`when`) no longer matches what that
 * config builds, and the field to look at is the one the hint names.
 */
export function staleAcknowledgmentHints(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const hint = configFieldHint(entry);
    const environment = /^([a-z0-9]+):/.exec(entry)?.[1];
    return hint && environment
      ? [
          `  -> ${environment}: the construct follows from config/${environment}.ts ${hint}; the entry's condition (when) in lib/acknowledgments/ must hold exactly where that field builds the construct`,
        ]
      : [];
  });
}

/**
 * Why a finished synthesis must not count as a success, as messages for the terminal; empty when it
 * may. Run after `app.synth()`:
 *
 * - an acknowledgment that matches no finding any more would hide the next real finding at that
 *   place, so it stops synthesis until it is removed or corrected;
 * - the CLI checks the validation report only for the stacks it selected, and a bare `cdk synth`
 *   selects none of the stages' stacks: an unacknowledged error fails here, whatever the selection.
 *
 * A finding that follows from a config choice names the environment's config field to change.
 */
export function synthesisFailures(root: IConstruct, built: BuiltApp<string>, assemblyDirectory: string): string[] {
  const failures: string[] = [];
  const stale = staleAcknowledgments(built.acknowledgments, built.compliance.rawFindings(root));
  if (stale.length > 0) {
    failures.push([new StaleAcknowledgmentError(stale).message, ...staleAcknowledgmentHints(stale)].join('\n'));
  }
  const blocking = reportedViolations(assemblyDirectory).filter(isBlocking);
  if (blocking.length > 0) {
    failures.push(
      [
        `Compliance validation failed: ${blocking.length} unacknowledged finding(s). Where a config field is named, the finding follows from that environment's configuration: change the field in config/<environment>.ts. Otherwise fix the resource, or acknowledge with a reason in lib/acknowledgments/.`,
        ...blocking.map((v) => {
          const line = `  ${v.rule} (${v.plugin}) at ${v.paths.join(', ')}: ${v.description.split('\n')[0]}`;
          const hint = configFieldHint(v.rule) ?? v.paths.map(configFieldHint).find((h) => h !== undefined);
          const environment = v.paths.map((p) => environmentOf(built, p)).find((e) => e !== undefined);
          return hint && environment ? `${line}\n    -> config: ${environment}: ${hint}` : line;
        }),
        `Full report: ${assemblyDirectory}/validation-report.json`,
      ].join('\n'),
    );
  }
  return failures;
}
