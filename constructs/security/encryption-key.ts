import { ArnFormat, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';

/** Properties of an {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /** What the key protects, shown in the console. */
  readonly description: string;

  /**
   * Alias, e.g. `alias/shop/prod/database`.
   *
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * AWS services (`rds`, `secretsmanager`, `s3`, `elasticache`...) through which principals of this
   * account may use the key. Calls that do not come through one of them are refused, so an IAM
   * policy alone can never use the key directly.
   *
   * @default - none
   */
  readonly viaServices?: readonly string[];

  /**
   * Lets CloudWatch Logs of this account and region encrypt log groups with the key.
   *
   * @default false
   */
  readonly allowCloudWatchLogs?: boolean;

  /**
   * Days between scheduling deletion and deletion, 7 to 30.
   *
   * @default 30
   */
  readonly pendingWindowDays?: number;

  /**
   * What happens to the key when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * People's roles that administer the key: change its policy, disable it, schedule its deletion
   * (no data actions). Each must exist when the key is created or updated: KMS rejects a policy
   * naming an unknown principal. More can be added with {@link EncryptionKey.addAdministrators}.
   *
   * @default - nobody but `deploymentRole` (and the root user's recovery, see the class)
   */
  readonly administrators?: iam.IPrincipal[];

  /**
   * The principal CloudFormation creates, updates and deletes the key with. It must administer the
   * key: KMS refuses to create a key whose policy would not let the caller change that policy again
   * (the lockout safety check), and every later policy change or deletion is made by it.
   *
   * @default - the CloudFormation execution role of the stack's `DefaultStackSynthesizer`
   *   (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`); other synthesizers must pass it
   */
  readonly deploymentRole?: iam.IPrincipal;
}

/** Key-management actions that do not touch data, for the administrators. */
const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/**
 * What the root user keeps to recover a key whose administrators are gone or misbehaved: rewrite the
 * policy, re-enable the key, cancel a scheduled deletion.
 */
const RECOVERY_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:GetKeyPolicy',
  'kms:DescribeKey',
  'kms:EnableKey',
  'kms:CancelKeyDeletion',
];

const DATA_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * A customer-managed KMS key with rotation whose policy allows exactly the services that use it:
 *
 * - only `administrators` and the deployment role administer the key (no data actions); an IAM
 *   policy of anybody else in the account, even `AdministratorAccess`, cannot change its policy,
 *   disable it or schedule its deletion: the policy does not delegate key administration to IAM;
 * - the account's root user (`aws:PrincipalArn` `arn:<partition>:iam::<account>:root`, which is how
 *   the root user appears; IAM roles and users appear under their own ARNs) may only recover the
 *   key: rewrite its policy, enable it, cancel its deletion. Without this the key could become
 *   unmanageable when its administrator roles are deleted, recoverable only through AWS Support;
 * - principals of the account may use it only through the listed services (`kms:ViaService`);
 * - CloudWatch Logs of this account and region may use it for log groups, when asked;
 * - `kms:CreateGrant` is denied unless the grant is for an AWS resource or made by an AWS service
 *   (Control Tower CT.KMS.PR.3).
 */
export class EncryptionKey extends kms.Key {
  private readonly administration: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id, {
      description: props.description,
      alias: props.alias,
      enableKeyRotation: true,
      pendingWindow: Duration.days(props.pendingWindowDays ?? 30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // An explicit document replaces CDK's default "account may do kms:*" statement.
      policy: new iam.PolicyDocument(),
    });

    const stack = Stack.of(this);
    this.administration = new iam.PolicyStatement({
      sid: 'AdministratorsAdministerTheKey',
      principals: [props.deploymentRole ?? deploymentRoleOf(this)],
      actions: ADMIN_ACTIONS,
      resources: ['*'],
    });
    this.addToResourcePolicy(this.administration);
    this.addAdministrators(...(props.administrators ?? []));
    const root = new iam.AccountRootPrincipal();
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RootUserRecoversTheKey',
        principals: [root],
        actions: RECOVERY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalArn': root.arn } },
      }),
    );
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );

    const viaServices = props.viaServices ?? [];
    if (viaServices.length > 0) {
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AccountUsesTheKeyThroughServices',
          principals: [new iam.AccountRootPrincipal()],
          actions: [...DATA_ACTIONS, 'kms:CreateGrant', 'kms:ListGrants'],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:CallerAccount': stack.account,
              'kms:ViaService': viaServices.map((service) => `${service}.${stack.region}.amazonaws.com`),
            },
          },
        }),
      );
    }

    if (props.allowCloudWatchLogs === true) {
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsOfThisAccountEncryptsLogGroups',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
    }
  }

  /** Adds administrators of the key (see `EncryptionKeyProps.administrators`). */
  public addAdministrators(...principals: iam.IPrincipal[]): void {
    this.administration.addPrincipals(...principals);
  }
}

/** The role the stack's default synthesizer has CloudFormation deploy with. */
function deploymentRoleOf(key: EncryptionKey): iam.IPrincipal {
  const synthesizer = Stack.of(key).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new ValidationError(
      key,
      `cannot tell which role CloudFormation deploys this stack with (synthesizer ${synthesizer.constructor.name}); pass deploymentRole`,
    );
  }
  // The ARN keeps the ${AWS::Partition} placeholder (and the account and region ones in an
  // environment-agnostic stack), which Fn::Sub resolves.
  return new iam.ArnPrincipal(Fn.sub(synthesizer.cloudFormationExecutionRoleArn));
}
