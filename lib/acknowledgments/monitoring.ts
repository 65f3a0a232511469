import { HIPAA, NIST, acknowledge, condition, guard, type AcknowledgmentEntry } from './shared';

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

/** Reviewed findings of the monitoring layer (home region) and of the edge alarms (us-east-1). */
export const MONITORING_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  ...acknowledge(SILENT_ALARM_FINDINGS, 'Monitoring/Alarms', SILENT_BY_CONFIG, WITHOUT_PAGING),
  ...acknowledge(SILENT_ALARM_FINDINGS, 'Edge/Alarms', SILENT_BY_CONFIG, WITHOUT_PAGING),
];
