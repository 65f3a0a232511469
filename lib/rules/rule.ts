import type { CfnResource } from 'aws-cdk-lib';
import type { NagRuleResult } from 'cdk-nag';

/** A rule of the DeployReadiness pack: the pure check and what its finding tells the author. */
export interface DeployReadinessRule {
  /** The check; its function name is the rule id's suffix (`DeployReadiness-<name>`). */
  readonly rule: (node: CfnResource) => NagRuleResult;
  /** What is wrong and what to do: the text every finding shows. */
  readonly info: string;
  /** Why the rule exists (shown with `verbose`). */
  readonly explanation: string;
}
