import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'S3GatewayPolicyAllowsServiceBuckets';

function gateway(statements: iam.PolicyStatement[]) {
  const stack = ruleStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const endpoint = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  statements.forEach((statement) => endpoint.addToPolicy(statement));
  return stack;
}

const ownAccountOnly = new iam.PolicyStatement({
  principals: [new iam.AnyPrincipal()],
  actions: ['s3:*'],
  resources: ['*'],
  conditions: { StringEquals: { 'aws:ResourceAccount': '123456789012' } },
});
const responses = new iam.PolicyStatement({
  principals: [new iam.AnyPrincipal()],
  actions: ['s3:PutObject'],
  resources: ['arn:aws:s3:::cloudformation-custom-resource-response-*/*'],
});
const layers = new iam.PolicyStatement({
  principals: [new iam.AnyPrincipal()],
  actions: ['s3:GetObject'],
  resources: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
});

describe('DeployReadiness-S3GatewayPolicyAllowsServiceBuckets', () => {
  test('flags a gateway policy limited to the account: custom resources and image pulls would fail', () => {
    expect(idsOf(deployReadinessFindings(gateway([ownAccountOnly])), RULE)).toEqual([
      `DeployReadiness-${RULE}[Missing:CloudFormationResponses]`,
      `DeployReadiness-${RULE}[Missing:EcrImageLayers]`,
    ]);
  });

  test('accepts a policy that lets both AWS-owned buckets through', () => {
    expect(idsOf(deployReadinessFindings(gateway([ownAccountOnly, responses, layers])), RULE)).toEqual([]);
  });

  test('does not apply to a gateway without a policy (full access)', () => {
    expect(idsOf(deployReadinessFindings(gateway([])), RULE)).toEqual([]);
  });
});
