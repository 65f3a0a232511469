import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Denies `kms:CreateGrant` unless the grant is for an AWS resource or the caller is an AWS
 * service. Services that encrypt on our behalf (RDS, EBS, Secrets Manager) create grants
 * with `kms:GrantIsForAWSResource`; nobody else should be able to delegate the key.
 * This is Control Tower's CT.KMS.PR.3.
 */
export function restrictGrantsToAwsServices(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    }),
  );
}
