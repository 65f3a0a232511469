import { HIPAA, NIST, PCI, acknowledge, condition, guard, type AcknowledgmentEntry } from './shared';

/** `monitoring.paging: false` (dev): alarms record their states and notify nobody. */
export const WITHOUT_PAGING = condition('with monitoring.paging off', (config) => !config.monitoring.paging);

const SILENT_ALARM_FINDINGS = [
  `${NIST}-CloudWatchAlarmAction`,
  `${HIPAA}-CloudWatchAlarmAction`,
  guard('cloudwatch_alarm_action_check'),
  guard('cloudwatch_alarm_action_enabled_check'),
];

const SILENT_BY_CONFIG =
  'monitoring.paging is off: the environment records alarm states (visible in the console and on dashboards) ' +
  'but tells nobody, by design, so its alarms have no actions and actions disabled. Where paging is on, every ' +
  "alarm here notifies the region's alarm topic on ALARM and OK (test/monitoring.test.ts).";

/** `monitoring.syntheticCheck.enabled`: the canary, its artifacts bucket and its starter exist. */
export const WITH_SYNTHETIC_CHECK = condition(
  'with monitoring.syntheticCheck enabled',
  (config) => config.monitoring.syntheticCheck.enabled,
);

/** The burn-rate window alarms of the two objectives: they only feed their composites. */
const BURN_WINDOW_ALARMS = ['Availability', 'Latency'].flatMap((objective) =>
  ['FastBurnLong', 'FastBurnShort', 'SlowBurnLong', 'SlowBurnShort'].map(
    (window) => `Monitoring/${objective}/${window}/Resource`,
  ),
);

/** The AwsCustomResource function of the monitoring stack: it only starts the canary. */
const STARTER_FUNCTION = 'Monitoring/AWS679f53fac002430cb0da5b7982bd2287';

/** Reviewed findings of the monitoring layer (home region) and of the edge alarms (us-east-1). */
export const MONITORING_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  ...acknowledge(SILENT_ALARM_FINDINGS, 'Monitoring/Alarms', SILENT_BY_CONFIG, WITHOUT_PAGING),
  ...acknowledge(SILENT_ALARM_FINDINGS, 'Edge/Alarms', SILENT_BY_CONFIG, WITHOUT_PAGING),
  ...BURN_WINDOW_ALARMS.flatMap((path) =>
    acknowledge(
      SILENT_ALARM_FINDINGS,
      path,
      'A burn-rate window alarm: alone it means nothing (a long window still burning after the fix, or a short ' +
        'blip), so it has no actions; its composite (long AND short window) pages or notifies, and carries the ' +
        'actions (test/constructs/service-level-objective.test.ts).',
    ),
  ),
  ...acknowledge(
    [
      'AwsSolutions-S1',
      `${NIST}-S3BucketLoggingEnabled`,
      `${HIPAA}-S3BucketLoggingEnabled`,
      `${PCI}-S3BucketLoggingEnabled`,
      guard('s3_bucket_logging_enabled_check'),
    ],
    'Monitoring/Canary/Artifacts/Resource',
    "The canary's run artifacts (its own logs, HAR and step results) are written only by the canary's role " +
      "and expire after 30 days; logging their access into the data layer's log bucket would make that bucket's " +
      'policy name this stack (a cycle between the two stacks). CloudTrail records the management events.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    [`${NIST}-S3BucketReplicationEnabled`, `${HIPAA}-S3BucketReplicationEnabled`, `${PCI}-S3BucketReplicationEnabled`],
    'Monitoring/Canary/Artifacts/Resource',
    'Run artifacts are disposable evidence of a check that runs again in minutes; a replica would keep copies ' +
      'of nothing worth recovering.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    [guard('s3_bucket_object_lock_enabled_check')],
    'Monitoring/Canary/Artifacts/Resource',
    'Run artifacts must expire (lifecycle, 30 days) and be deletable with the canary; Object Lock would keep ' +
      'locked versions past their expiry.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::<CanaryArtifacts7ADD0D0B.Arn>/*]'],
    'Monitoring/Canary/Role/Policy/Resource',
    'The canary writes one object per run under keys it generates (run ID and time): objects of its own ' +
      'artifacts bucket only, nothing else.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::*]'],
    'Monitoring/Canary/Role/Policy/Resource',
    "Two actions without resource-level permissions, as in AWS's documented canary role: s3:ListAllMyBuckets " +
      '(the Synthetics runtime checks its artifact location) and cloudwatch:PutMetricData, restricted by a ' +
      'cloudwatch:namespace condition to CloudWatchSynthetics.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    [`${NIST}-LambdaConcurrency`, `${HIPAA}-LambdaConcurrency`],
    STARTER_FUNCTION,
    'The AwsCustomResource function only starts the canary, once per stack operation that touches it; ' +
      'reserving concurrency would fail to deploy in accounts whose quota is 10, the minimum Lambda keeps unreserved.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    [`${NIST}-LambdaDLQ`, `${HIPAA}-LambdaDLQ`],
    STARTER_FUNCTION,
    'Only CloudFormation invokes the AwsCustomResource function and waits for its answer: the handler reports ' +
      'FAILED itself and CloudFormation rolls back; a queued event could answer no one.',
    WITH_SYNTHETIC_CHECK,
  ),
  ...acknowledge(
    [`${NIST}-LambdaInsideVPC`, `${HIPAA}-LambdaInsideVPC`, `${PCI}-LambdaInsideVPC`, guard('lambda_inside_vpc_check')],
    STARTER_FUNCTION,
    'The function calls one API, synthetics:StartCanary on this canary (its only permission), and touches no ' +
      'data; the monitoring layer has no VPC, and placing it in the network layer would add a Synthetics ' +
      'endpoint or NAT dependency for a call made once per deploy.',
    WITH_SYNTHETIC_CHECK,
  ),
];
