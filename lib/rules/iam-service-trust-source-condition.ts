import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { SERVICE_PRINCIPALS } from './service-principals';
import {
  conditionKeysOf,
  renderedProperties,
  servicePrincipalsOf,
  statementAllowsAction,
  statementsOf,
} from './template';

/** Condition keys that tie a service's AssumeRole to a source of our account. */
export const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths'];

/**
 * An `AWS::IAM::Role` whose trust policy lets an AWS service assume it checks the source of the
 * request (`aws:SourceAccount` or `aws:SourceArn`, or the organization keys), for every service
 * that sends those keys on AssumeRole (see {@link SERVICE_PRINCIPALS}).
 *
 * Findings: `<service>` without a source condition; `Unknown:<service>` for a service the table
 * does not know yet.
 */
export function IamServiceTrustSourceCondition(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  let trustsService = false;
  for (const statement of statementsOf(renderedProperties(node).AssumeRolePolicyDocument)) {
    if (statement.Effect !== 'Allow' || !statementAllowsAction(statement, 'sts:AssumeRole')) {
      continue;
    }
    const services = servicePrincipalsOf(statement);
    trustsService ||= services.length > 0;
    const checked = SOURCE_KEYS.some((key) => conditionKeysOf(statement).has(key));
    for (const service of services) {
      const entry = SERVICE_PRINCIPALS[service];
      if (entry === undefined) {
        findings.add(`Unknown:${service}`);
      } else if (entry.sendsSourceKeys && !checked) {
        findings.add(service);
      }
    }
  }
  if (!trustsService) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const iamServiceTrustSourceCondition: DeployReadinessRule = {
  rule: IamServiceTrustSourceCondition,
  info:
    "The role's trust policy lets an AWS service assume it without checking the request's source. Add a " +
    'condition on aws:SourceAccount (or aws:SourceArn) to that statement; for a service the table in ' +
    'lib/rules/service-principals.ts does not know, first find out (from its confused-deputy documentation) ' +
    'whether it sends those keys on AssumeRole and add it with the source.',
  explanation:
    'Without a source condition any resource of that service, in any account, that is given the role ARN can act ' +
    'with the role (cross-service confused deputy). A condition on a key the service does not send would make ' +
    'the role unusable, hence the table of services.',
};
