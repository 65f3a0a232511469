import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'EcrRepositoryCustomerKey';

describe('DeployReadiness-EcrRepositoryCustomerKey', () => {
  test('flags a repository with the default encryption (AES-256)', () => {
    const stack = ruleStack();
    new ecr.Repository(stack, 'Images');
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Images')).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('flags KMS encryption with the AWS managed key (no KmsKey)', () => {
    const stack = ruleStack();
    new ecr.Repository(stack, 'Images', { encryption: ecr.RepositoryEncryption.KMS });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('accepts a customer-managed key', () => {
    const stack = ruleStack();
    new ecr.Repository(stack, 'Images', {
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: new kms.Key(stack, 'Key'),
    });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Images')).toEqual([]);
  });
});
