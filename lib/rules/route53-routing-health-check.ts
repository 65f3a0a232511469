import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { asArray, isObject, renderedProperties } from './template';

/** Record fields that make Route 53 choose among several records by health. */
const ROUTING_FIELDS = ['Weight', 'Failover'] as const;

/**
 * Every Route 53 record with weighted or failover routing (`AWS::Route53::RecordSet`, and each
 * entry of an `AWS::Route53::RecordSetGroup`) has a `HealthCheckId`, or is an alias record that
 * evaluates its target's health (`AliasTarget.EvaluateTargetHealth: true`).
 *
 * One finding per unhealthy-blind record: `<name>/<set identifier>`.
 */
export function Route53RoutingHealthCheck(node: CfnResource): NagRuleResult {
  let records: Array<Record<string, unknown>>;
  if (node.cfnResourceType === 'AWS::Route53::RecordSet') {
    records = [renderedProperties(node)];
  } else if (node.cfnResourceType === 'AWS::Route53::RecordSetGroup') {
    records = asArray(renderedProperties(node).RecordSets).filter(isObject);
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const routed = records.filter((record) => ROUTING_FIELDS.some((field) => record[field] !== undefined));
  if (routed.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const blind = routed.filter((record) => record.HealthCheckId === undefined && !evaluatesTargetHealth(record));
  return blind.length > 0
    ? blind.map((record) => `${label(record.Name)}/${label(record.SetIdentifier)}`)
    : NagRuleCompliance.COMPLIANT;
}

function evaluatesTargetHealth(record: Record<string, unknown>): boolean {
  return isObject(record.AliasTarget) && record.AliasTarget.EvaluateTargetHealth === true;
}

function label(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

export const route53RoutingHealthCheck: DeployReadinessRule = {
  rule: Route53RoutingHealthCheck,
  info:
    'The Route 53 record uses weighted or failover routing without a HealthCheckId (and is not an alias that ' +
    'evaluates target health). Associate a health check that fails when the target cannot serve (e.g. a ' +
    'CloudWatch-alarm health check on availability and lag), so Route 53 stops answering with it.',
  explanation:
    'Route 53 treats a weighted or failover record without a health check as always healthy: a failed or lagging ' +
    'target keeps its share of the answers, and failover never fails over.',
};
