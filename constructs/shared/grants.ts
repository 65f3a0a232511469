import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Lets `grantee` read `secret` and decrypt it through Secrets Manager, with statements on the
 * grantee's own policy only.
 *
 * `ISecret.grantRead` also writes the grantee's ARN into the key policy; when the grantee lives in
 * a stack that depends on the secret's stack, that reference closes a dependency cycle. The keys of
 * this project already admit their account through Secrets Manager (`EncryptionKey.viaServices`), so
 * the identity policy is all that is needed.
 */
export function grantSecretRead(grantee: iam.IGrantable, secret: secretsmanager.ISecret, key: kms.IKey): iam.Grant {
  const read = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resourceArns: [secret.secretArn],
  });
  const decrypt = iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(key).region}.amazonaws.com` } },
  });
  return read.combine(decrypt);
}
