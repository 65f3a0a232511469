import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { backupCopyOnOverlappingRules } from './backup-copy-on-overlapping-rules';
import { backupSelectionNamesResourceTypes } from './backup-selection-names-resource-types';
import { ecrRepositoryCustomerKey } from './ecr-repository-customer-key';
import { ecsBlueGreenListenerRuleUnmanaged } from './ecs-blue-green-listener-rule-unmanaged';
import { ecsServiceWaitsForCapacityProviders } from './ecs-service-waits-for-capacity-providers';
import { ecsServiceWaitsForRolePolicies } from './ecs-service-waits-for-role-policies';
import { iamServiceTrustSourceCondition } from './iam-service-trust-source-condition';
import { kmsKeyAdministrationRestricted } from './kms-key-administration-restricted';
import { lambdaRuntimeSupported, lambdaRuntimeSupportedOn } from './lambda-runtime-supported';
import { rdsReplicaKeptIfPromoted } from './rds-replica-kept-if-promoted';
import { retainedNameReleasedOnFailedCreate } from './retained-name-released-on-failed-create';
import { route53RoutingHealthCheck } from './route53-routing-health-check';
import { runtimeLogGroupOwned } from './runtime-log-group-owned';
import type { DeployReadinessRule } from './rule';
import { s3AccessLogDestinationUnlocked } from './s3-access-log-destination-unlocked';
import { s3GatewayPolicyAllowsServiceBuckets } from './s3-gateway-policy-allows-service-buckets';
import { s3BucketPolicyServiceSourceCondition } from './s3-bucket-policy-service-source-condition';
import { s3ObjectLockDefaultRetention } from './s3-object-lock-default-retention';
import { securityGroupInlineEgress } from './security-group-inline-egress';
import { taskSecretNotRotatedUnderTasks } from './task-secret-not-rotated-under-tasks';
import { weakReferenceMarked } from './weak-reference-marked';
import { weakReferenceNotSplit } from './weak-reference-not-split';

/** The pack's name: rule ids are `DeployReadiness-<rule>`. */
export const DEPLOY_READINESS_PACK = 'DeployReadiness';

/** Every rule of the pack, in the order findings are reported. */
export const DEPLOY_READINESS_RULES: readonly DeployReadinessRule[] = [
  ecsBlueGreenListenerRuleUnmanaged,
  ecsServiceWaitsForCapacityProviders,
  securityGroupInlineEgress,
  lambdaRuntimeSupported,
  weakReferenceMarked,
  weakReferenceNotSplit,
  route53RoutingHealthCheck,
  ecsServiceWaitsForRolePolicies,
  iamServiceTrustSourceCondition,
  kmsKeyAdministrationRestricted,
  s3ObjectLockDefaultRetention,
  s3AccessLogDestinationUnlocked,
  s3BucketPolicyServiceSourceCondition,
  ecrRepositoryCustomerKey,
  retainedNameReleasedOnFailedCreate,
  s3GatewayPolicyAllowsServiceBuckets,
  taskSecretNotRotatedUnderTasks,
  runtimeLogGroupOwned,
  backupSelectionNamesResourceTypes,
  backupCopyOnOverlappingRules,
  rdsReplicaKeptIfPromoted,
];

/** Rule ids as findings and acknowledgments name them (without a `[finding]` suffix). */
export const DEPLOY_READINESS_RULE_IDS: readonly string[] = DEPLOY_READINESS_RULES.map(
  (entry) => `${DEPLOY_READINESS_PACK}-${entry.rule.name}`,
);

/** Properties of {@link DeployReadinessChecks}. */
export interface DeployReadinessChecksProps extends NagPackProps {
  /**
   * The day the runtime rule checks deprecation dates against.
   *
   * @default - the day of synthesis
   */
  readonly today?: Date;
}

/**
 * The project's deploy-readiness rules: what CloudFormation and the services need for a stack to
 * create, update and keep working, beyond what the compliance packs check. Every rule reports at
 * ERROR level and each finding says what to do. Register it like the other packs:
 * `Validations.of(app).addPlugins(new DeployReadinessChecks(app))`.
 */
export class DeployReadinessChecks extends NagPack {
  public readonly name = DEPLOY_READINESS_PACK;
  public override readonly ruleIds = [...DEPLOY_READINESS_RULE_IDS];
  private readonly rules: readonly DeployReadinessRule[];

  constructor(scope?: IConstruct, props: DeployReadinessChecksProps = {}) {
    super(scope, props);
    this.packName = DEPLOY_READINESS_PACK;
    const { today } = props;
    this.rules = DEPLOY_READINESS_RULES.map((entry) =>
      entry === lambdaRuntimeSupported && today !== undefined
        ? { ...entry, rule: lambdaRuntimeSupportedOn(() => today) }
        : entry,
    );
  }

  protected checkResource(node: CfnResource): void {
    for (const entry of this.rules) {
      this.applyRule({
        info: entry.info,
        explanation: entry.explanation,
        level: NagMessageLevel.ERROR,
        rule: entry.rule,
        node,
      });
    }
  }
}
