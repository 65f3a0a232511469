import type { EnvironmentConfig } from '../../config';
import { GUARD_NAMESPACE } from '../compliance';

/**
 * The configuration that causes a finding: a predicate on an environment's validated config, with
 * the condition in words for reports ("without a domain"). An entry says WHY it applies, never
 * WHERE: an environment added to `config/` gets the entries its configuration calls for, and a
 * config change takes the entries it makes moot with it.
 */
export interface Condition {
  (config: EnvironmentConfig): boolean;
  /** The condition as a phrase that completes "applies ...", e.g. `without a domain`. */
  readonly applies: string;
}

/** Names a predicate; `applies` completes "the acknowledgment applies ...". */
export function condition(applies: string, when: (config: EnvironmentConfig) => boolean): Condition {
  return Object.assign((config: EnvironmentConfig) => when(config), { applies });
}

/** Both conditions hold. */
export function allOf(...conditions: readonly Condition[]): Condition {
  return condition(conditions.map((c) => c.applies).join(' and '), (config) => conditions.every((c) => c(config)));
}

/**
 * One reviewed compliance finding that the project accepts.
 *
 * Fixing the resource beats acknowledging the finding. An entry is as narrow as the
 * finding: one rule id (with its `[finding]` suffix where the rule has one) on one
 * construct path. A test fails when an entry no longer matches a finding.
 */
export interface AcknowledgmentEntry {
  /**
   * The finding id exactly as reported, e.g. `AwsSolutions-IAM4[Policy::...]` or
   * `cdk-validator-cfnguard::<rule>`. `{stage}`, `{account}`, `{region}` and `{drRegion}` stand for the
   * environment's, for findings that quote an ARN or a stack name.
   */
  readonly id: string;
  /** Construct path below the stage, e.g. `Network/Network/Resource`. Covers that construct and its children. */
  readonly path: string;
  /** Why the finding is acceptable here: specific to this resource, never "not needed". */
  readonly reason: string;
  /**
   * The configuration the finding follows from (one of the named conditions below). Never an
   * environment's name.
   *
   * @default - every environment
   */
  readonly when?: Condition;
}

export const NIST = 'NIST.800.53.R5';
export const HIPAA = 'HIPAA.Security';
export const PCI = 'PCI.DSS.321';
export const guard = (rule: string): string => `${GUARD_NAMESPACE}::${rule}`;

/** One decision that answers several rules' findings on the same construct. */
export function acknowledge(
  ids: readonly string[],
  path: string,
  reason: string,
  when?: Condition,
): AcknowledgmentEntry[] {
  return ids.map((id) => (when === undefined ? { id, path, reason } : { id, path, reason, when }));
}

/** The threshold of the log-retention controls (cfn-guard `cloudwatch_log_group_retention_period_check`). */
const ONE_YEAR_DAYS = 365;

// --- Conditions: the config field behind each scoped finding -------------------------------------

/** No `domain`: no certificate, so the internal listener speaks HTTP and CloudFront its default name. */
export const WITHOUT_DOMAIN = condition('without a domain', (config) => config.domain === undefined);

/** `removalPolicy: 'destroy'`: buckets are emptied by aws-cdk-lib's auto-delete provider. */
export const DISPOSABLE = condition("with removalPolicy 'destroy'", (config) => config.removalPolicy === 'destroy');

/** `logRetentionDays` under the control's year. */
export const SHORT_LOG_RETENTION = condition(
  `with logRetentionDays under ${ONE_YEAR_DAYS}`,
  (config) => config.logRetentionDays < ONE_YEAR_DAYS,
);

/** `network.flowLogRetentionDays` under the control's year. */
export const SHORT_FLOW_LOG_RETENTION = condition(
  `with network.flowLogRetentionDays under ${ONE_YEAR_DAYS}`,
  (config) => config.network.flowLogRetentionDays < ONE_YEAR_DAYS,
);

/** `database.readReplicas` above 0. */
export const WITH_READ_REPLICAS = condition(
  'with database.readReplicas above 0',
  (config) => config.database.readReplicas > 0,
);

/** `database.multiAz` off. */
export const SINGLE_AZ_DATABASE = condition('with database.multiAz off', (config) => !config.database.multiAz);

/** `database.deletionProtection` off. */
export const UNPROTECTED_DATABASE = condition(
  'with database.deletionProtection off',
  (config) => !config.database.deletionProtection,
);

/** `database.monitoringIntervalSeconds` 0: no enhanced monitoring (and no monitoring role). */
export const WITHOUT_ENHANCED_MONITORING = condition(
  'with database.monitoringIntervalSeconds 0',
  (config) => config.database.monitoringIntervalSeconds === 0,
);

/** `database.monitoringIntervalSeconds` above 0: enhanced monitoring through its service role. */
export const WITH_ENHANCED_MONITORING = condition(
  'with database.monitoringIntervalSeconds above 0',
  (config) => config.database.monitoringIntervalSeconds > 0,
);

/** `cache.multiAz` off. */
export const SINGLE_AZ_CACHE = condition('with cache.multiAz off', (config) => !config.cache.multiAz);

/** No automatic failover: the cache construct turns it on for Multi-AZ and for cluster mode. */
export const CACHE_WITHOUT_FAILOVER = condition(
  'with cache.multiAz and cache.clusterMode off',
  (config) => !config.cache.multiAz && !config.cache.clusterMode,
);

/** Cache snapshots kept under the 15 days the NIST and HIPAA rules ask for. */
export const SHORT_CACHE_SNAPSHOTS = condition(
  'with cache.snapshotRetentionDays under 15',
  (config) => config.cache.snapshotRetentionDays < 15,
);

/** `compute.deletionProtection` off. */
export const UNPROTECTED_LOAD_BALANCER = condition(
  'with compute.deletionProtection off',
  (config) => !config.compute.deletionProtection,
);

/**
 * Blue-green, canary and linear deployments: a test listener, a second target group, listener rules
 * ECS shifts traffic on, a deployment role and probe. Rolling deployments have none of them.
 */
export const TRAFFIC_SHIFTING = condition(
  "with compute.deployment.strategy other than 'rolling'",
  (config) => config.compute.deployment.strategy !== 'rolling',
);

/** Rules that flag any plain-HTTP load balancer listener. */
export const PLAIN_HTTP_LISTENER_RULES = [
  `${NIST}-ALBHttpToHttpsRedirection`,
  `${HIPAA}-ALBHttpToHttpsRedirection`,
  `${PCI}-ALBHttpToHttpsRedirection`,
  `${NIST}-ELBv2ACMCertificateRequired`,
  `${HIPAA}-ELBv2ACMCertificateRequired`,
  `${PCI}-ELBv2ACMCertificateRequired`,
  guard('alb_http_to_https_redirection_check'),
];
