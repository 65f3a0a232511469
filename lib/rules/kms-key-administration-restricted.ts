import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import {
  asArray,
  conditionKeysOf,
  isObject,
  renderedProperties,
  statementAllowsAction,
  statementsOf,
} from './template';

/** Key-policy actions that let a principal take the key away from everyone else. */
export const KEY_ADMINISTRATION_ACTIONS = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'];

/** Condition keys that narrow a statement to named principals within the account. */
const PRINCIPAL_KEYS = ['aws:principalarn', 'aws:userid', 'aws:username'];
const PRINCIPAL_KEY_PREFIXES = ['aws:principaltag/'];

/**
 * An `AWS::KMS::Key` policy does not allow `kms:PutKeyPolicy` or `kms:ScheduleKeyDeletion` (by name
 * or through a wildcard such as `kms:*`) to the account root principal, or to `*`, unless a
 * condition narrows the statement to named principals (`aws:PrincipalArn`, `aws:userid`,
 * `aws:username`, `aws:PrincipalTag/...`). A root principal delegates to every IAM identity of
 * the account that an identity policy allows, i.e. to any account administrator.
 *
 * One finding per action granted that way: `<action>`.
 */
export function KmsKeyAdministrationRestricted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const statement of statementsOf(renderedProperties(node).KeyPolicy)) {
    if (statement.Effect !== 'Allow' || !grantsAccountWide(statement) || namesPrincipals(statement)) {
      continue;
    }
    KEY_ADMINISTRATION_ACTIONS.filter((action) => statementAllowsAction(statement, action)).forEach((action) =>
      findings.add(action),
    );
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

/** True when the statement's principal is an account (root or bare account id) or anyone. */
function grantsAccountWide(statement: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  if (principal === '*') {
    return true;
  }
  if (!isObject(principal)) {
    return false;
  }
  return asArray(principal.AWS).some((value) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text === '*' || /^\d{12}$/.test(text) || /:root($|")/.test(text);
  });
}

function namesPrincipals(statement: Record<string, unknown>): boolean {
  return [...conditionKeysOf(statement)].some(
    (key) => PRINCIPAL_KEYS.includes(key) || PRINCIPAL_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)),
  );
}

export const kmsKeyAdministrationRestricted: DeployReadinessRule = {
  rule: KmsKeyAdministrationRestricted,
  info:
    'The key policy lets the whole account (root principal) or anyone change the key policy or schedule the ' +
    "key's deletion. Grant kms:PutKeyPolicy and kms:ScheduleKeyDeletion to a configured key-admin principal " +
    '(by ARN, or with an aws:PrincipalArn condition on the account statement), keeping a recovery path for ' +
    'the account.',
  explanation:
    'A key policy statement for the account root delegates to every IAM identity whose identity policy allows ' +
    'the action, so any account administrator can lock everyone out of the key or destroy the data it protects.',
};
