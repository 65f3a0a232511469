import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

/** ECR encryption types that use a KMS key. */
const KMS_TYPES = ['KMS', 'KMS_DSSE'];

/**
 * An `AWS::ECR::Repository` is encrypted with a customer-managed KMS key:
 * `EncryptionConfiguration.EncryptionType` `KMS` (or `KMS_DSSE`) with a `KmsKey`. Without a
 * `KmsKey`, ECR uses the AWS managed key `aws/ecr`; without the configuration, AES-256.
 */
export function EcrRepositoryCustomerKey(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECR::Repository') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const encryption = renderedProperties(node).EncryptionConfiguration;
  const compliant =
    isObject(encryption) &&
    typeof encryption.EncryptionType === 'string' &&
    KMS_TYPES.includes(encryption.EncryptionType) &&
    encryption.KmsKey !== undefined &&
    encryption.KmsKey !== '';
  return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const ecrRepositoryCustomerKey: DeployReadinessRule = {
  rule: EcrRepositoryCustomerKey,
  info:
    'The ECR repository is not encrypted with a customer-managed KMS key. Set EncryptionConfiguration to ' +
    "EncryptionType KMS with a KmsKey (ecr.Repository's encryption: RepositoryEncryption.KMS and encryptionKey). " +
    'The setting cannot change after creation: it replaces the repository.',
  explanation:
    'With AES-256 or the AWS managed aws/ecr key, access to the images cannot be limited or audited through a ' +
    'key policy, and the key cannot be disabled or rotated on our schedule.',
};
