import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

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
}

/** Key-management actions that do not touch data: the account keeps these, so it can never lock itself out. */
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

const DATA_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * A customer-managed KMS key with rotation whose policy allows exactly the services that use it:
 *
 * - the account administers the key (no data actions), so IAM policies alone cannot decrypt;
 * - principals of the account may use it only through the listed services (`kms:ViaService`);
 * - CloudWatch Logs of this account and region may use it for log groups, when asked;
 * - `kms:CreateGrant` is denied unless the grant is for an AWS resource or made by an AWS service
 *   (Control Tower CT.KMS.PR.3).
 */
export class EncryptionKey extends kms.Key {
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
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AccountAdministersTheKey',
        principals: [new iam.AccountRootPrincipal()],
        actions: ADMIN_ACTIONS,
        resources: ['*'],
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
}
