import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'S3BucketPolicyServiceSourceCondition';

describe('DeployReadiness-S3BucketPolicyServiceSourceCondition', () => {
  test('flags statements that allow a service principal without a source condition', () => {
    const stack = ruleStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('*')],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Logs')).toEqual([
      `DeployReadiness-${RULE}[delivery.logs.amazonaws.com:s3:PutObject]`,
    ]);
  });

  test('accepts the statement with aws:SourceAccount, and Deny statements without', () => {
    const stack = ruleStack();
    const bucket = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
