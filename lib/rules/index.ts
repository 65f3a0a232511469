export {
  DEPLOY_READINESS_PACK,
  DEPLOY_READINESS_RULES,
  DEPLOY_READINESS_RULE_IDS,
  DeployReadinessChecks,
  type DeployReadinessChecksProps,
} from './pack';
export type { DeployReadinessRule } from './rule';
export { BackupCopyOnOverlappingRules } from './backup-copy-on-overlapping-rules';
export { BackupSelectionNamesResourceTypes } from './backup-selection-names-resource-types';
export { EcrRepositoryCustomerKey } from './ecr-repository-customer-key';
export { EcsBlueGreenListenerRuleUnmanaged } from './ecs-blue-green-listener-rule-unmanaged';
export { EcsServiceWaitsForCapacityProviders } from './ecs-service-waits-for-capacity-providers';
export { EcsServiceWaitsForRolePolicies } from './ecs-service-waits-for-role-policies';
export { IamServiceTrustSourceCondition } from './iam-service-trust-source-condition';
export { KmsKeyAdministrationRestricted } from './kms-key-administration-restricted';
export { LambdaRuntimeSupported, lambdaRuntimeSupportedOn } from './lambda-runtime-supported';
export { LAMBDA_RUNTIME_END_OF_SUPPORT, RUNTIME_NOTICE_DAYS } from './lambda-runtimes';
export { RdsReplicaKeptIfPromoted } from './rds-replica-kept-if-promoted';
export { NAME_PROPERTIES, RetainedNameReleasedOnFailedCreate } from './retained-name-released-on-failed-create';
export { Route53RoutingHealthCheck } from './route53-routing-health-check';
export { RuntimeLogGroupOwned } from './runtime-log-group-owned';
export { S3AccessLogDestinationUnlocked } from './s3-access-log-destination-unlocked';
export { S3GatewayPolicyAllowsServiceBuckets } from './s3-gateway-policy-allows-service-buckets';
export { S3BucketPolicyServiceSourceCondition } from './s3-bucket-policy-service-source-condition';
export { S3ObjectLockDefaultRetention } from './s3-object-lock-default-retention';
export { SecurityGroupInlineEgress } from './security-group-inline-egress';
export { SERVICE_PRINCIPALS } from './service-principals';
export { TaskSecretNotRotatedUnderTasks } from './task-secret-not-rotated-under-tasks';
export { WeakReferenceMarked } from './weak-reference-marked';
export { WeakReferenceNotSplit } from './weak-reference-not-split';
