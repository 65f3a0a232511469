import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

interface PlanRule {
  readonly name: string;
  readonly minuteHour?: string;
  readonly days: number;
  readonly continuous: boolean;
  readonly destinations: readonly string[];
}

/** `cron(M H ...)`: the minute and hour a rule starts at, when both are single fixed values. */
function minuteHourOf(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string') return undefined;
  const fields = /^cron\((.*)\)$/.exec(schedule.trim())?.[1]?.trim().split(/\s+/);
  if (fields === undefined || fields.length < 2) return undefined;
  const [minute, hour] = fields as [string, string];
  return /^\d+$/.test(minute) && /^\d+$/.test(hour) ? `${Number(minute)} ${Number(hour)}` : undefined;
}

function planRulesOf(node: CfnResource): PlanRule[] {
  const plan = renderedProperties(node).BackupPlan;
  const rules = isObject(plan) && Array.isArray(plan.BackupPlanRule) ? plan.BackupPlanRule : [];
  return rules.filter(isObject).map((rule) => {
    const lifecycle = isObject(rule.Lifecycle) ? rule.Lifecycle : {};
    const copies = Array.isArray(rule.CopyActions) ? rule.CopyActions.filter(isObject) : [];
    return {
      name: String(rule.RuleName),
      minuteHour: minuteHourOf(rule.ScheduleExpression),
      days: typeof lifecycle.DeleteAfterDays === 'number' ? lifecycle.DeleteAfterDays : Infinity,
      continuous: rule.EnableContinuousBackup === true,
      destinations: copies.map((copy) => JSON.stringify(copy.DestinationBackupVaultArn)),
    };
  });
}

/**
 * In an `AWS::Backup::BackupPlan`, a snapshot rule that copies to another vault is not silently
 * replaced on some days by a rule starting at the same time with a longer retention that does not
 * copy there (AWS Backup runs only the longest-kept of rules due together).
 */
export function BackupCopyOnOverlappingRules(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Backup::BackupPlan') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const rules = planRulesOf(node).filter((rule) => !rule.continuous);
  const copying = rules.filter((rule) => rule.destinations.length > 0 && rule.minuteHour !== undefined);
  if (copying.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const hidden = copying.some((rule) =>
    rules.some(
      (other) =>
        other !== rule &&
        other.minuteHour === rule.minuteHour &&
        other.days > rule.days &&
        rule.destinations.some((destination) => !other.destinations.includes(destination)),
    ),
  );
  return hidden ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const backupCopyOnOverlappingRules: DeployReadinessRule = {
  rule: BackupCopyOnOverlappingRules,
  info:
    'A backup rule copies to another vault, but a rule starting at the same time with a longer retention does not: ' +
    'give that rule the same copy action (or start it at another time).',
  explanation:
    'When rules of a plan are due at the same time AWS Backup runs only the one with the longest retention: a weekly ' +
    'or monthly rule replaces the daily one on its days, and without the copy action those days leave the other ' +
    'region without a copy, stretching the recovery point after a regional loss from one day to several.',
};
