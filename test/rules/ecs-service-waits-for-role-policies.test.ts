import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { testFixture } from '../support/test-stack';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'EcsServiceWaitsForRolePolicies';

function fargateService() {
  const { stack, vpc } = testFixture();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  // A private-registry image makes CDK grant the execution role through its DefaultPolicy.
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1'),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  return { stack, taskDefinition, service };
}

describe('DeployReadiness-EcsServiceWaitsForRolePolicies', () => {
  test("flags the execution role's policy the service does not wait for", () => {
    const { stack } = fargateService();
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Service')).toEqual([
      `DeployReadiness-${RULE}[TaskExecutionRoleDefaultPolicy72339918]`,
    ]);
  });

  test('accepts a construct dependency on the role, which covers its policies after prepare', () => {
    const { stack, taskDefinition, service } = fargateService();
    service.node.addDependency(taskDefinition.obtainExecutionRole());
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test("flags a managed policy attached to a lifecycle hook's role through its Roles", () => {
    const stack = ruleStack();
    const role = new iam.CfnRole(stack, 'HookRole', {
      assumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    new iam.CfnManagedPolicy(stack, 'HookPolicy', {
      roles: [role.ref],
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] },
    });
    new ecs.CfnService(stack, 'Service', {
      cluster: 'cluster',
      taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
      deploymentConfiguration: {
        lifecycleHooks: [
          {
            hookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:probe',
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            roleArn: role.attrArn,
          },
        ],
      },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[HookPolicy]`]);
  });
});
