import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

/** AWS-owned buckets that workloads inside a VPC reach through its S3 gateway endpoint. */
const SERVICE_BUCKETS = [
  {
    name: 'CloudFormationResponses',
    action: 's3:PutObject',
    bucket: 'cloudformation-custom-resource-response-',
  },
  { name: 'EcrImageLayers', action: 's3:GetObject', bucket: 'starport-layer-bucket' },
] as const;

/**
 * An S3 gateway endpoint with a policy still lets through what AWS services need from AWS-owned
 * buckets: custom-resource responses to CloudFormation and ECR's image layers.
 */
export function S3GatewayPolicyAllowsServiceBuckets(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const properties = renderedProperties(node);
  const service = JSON.stringify(properties.ServiceName ?? '');
  const gateway = properties.VpcEndpointType === undefined || properties.VpcEndpointType === 'Gateway';
  if (!gateway || !/\.s3"|s3"\]|\.s3\b/.test(service) || !isObject(properties.PolicyDocument)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const statements = [properties.PolicyDocument.Statement].flat().filter(isObject);
  const allows = (action: string, bucket: string): boolean =>
    statements.some((statement) => {
      if (statement.Effect !== 'Allow' || statement.Condition !== undefined) return false;
      const actions = [statement.Action].flat().map(String);
      const resources = JSON.stringify(Stack.of(node).resolve(statement.Resource));
      const actionOk = actions.some((a) => a === '*' || a === 's3:*' || a === action);
      return actionOk && (resources.includes(bucket) || resources === '"*"');
    });
  const missing = SERVICE_BUCKETS.filter(({ action, bucket }) => !allows(action, bucket)).map(
    ({ name }) => `Missing:${name}`,
  );
  return missing.length > 0 ? missing : NagRuleCompliance.COMPLIANT;
}

export const s3GatewayPolicyAllowsServiceBuckets: DeployReadinessRule = {
  rule: S3GatewayPolicyAllowsServiceBuckets,
  info:
    "The S3 gateway endpoint's policy does not let through an AWS-owned bucket that services in the VPC need: " +
    'CloudFormation custom-resource responses (s3:PutObject on cloudformation-custom-resource-response-*) or ' +
    'ECR image layers (s3:GetObject on prod-<region>-starport-layer-bucket). Add an Allow statement for it, ' +
    "without an account condition: the bucket and the presigned URL are not this account's.",
  explanation:
    'Traffic to S3 from the VPC goes through the gateway, and its policy applies. A custom resource whose function ' +
    'runs in the VPC then cannot answer CloudFormation (the stack operation hangs for an hour, then fails), and ' +
    'Fargate cannot pull images from ECR. No gate sees this: the template is valid.',
};
