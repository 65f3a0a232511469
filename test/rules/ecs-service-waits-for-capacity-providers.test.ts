import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { testFixture } from '../support/test-stack';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'EcsServiceWaitsForCapacityProviders';

function fargate(options: { strategy: boolean }) {
  const { stack, vpc } = testFixture();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, enableFargateCapacityProviders: true });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    capacityProviderStrategies: options.strategy ? [{ capacityProvider: 'FARGATE', weight: 1 }] : undefined,
  });
  return { stack, cluster, service };
}

describe('DeployReadiness-EcsServiceWaitsForCapacityProviders', () => {
  test("flags a service with a strategy that does not depend on its cluster's association", () => {
    const { stack } = fargate({ strategy: true });
    // CDK adds the association (logical id Cluster3DA9CCBA) through an aspect; nothing orders the service after it.
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Service')).toEqual([
      `DeployReadiness-${RULE}[Cluster3DA9CCBA]`,
    ]);
  });

  test('accepts the dependency CDK materializes from a construct dependency during prepare', () => {
    const { stack, cluster, service } = fargate({ strategy: true });
    service.node.addDependency(cluster);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('does not apply to a launch-type service', () => {
    const { stack } = fargate({ strategy: false });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a provider of the strategy that nothing associates with a cluster of the stack', () => {
    const stack = ruleStack();
    const cluster = new ecs.CfnCluster(stack, 'Cluster');
    const association = new ecs.CfnClusterCapacityProviderAssociations(stack, 'Association', {
      cluster: cluster.ref,
      capacityProviders: ['FARGATE'],
      defaultCapacityProviderStrategy: [],
    });
    const service = new ecs.CfnService(stack, 'Service', {
      cluster: cluster.ref,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
    service.addResourceDependency(association);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[NotAssociated:FARGATE_SPOT]`,
    ]);
  });

  test('accepts providers listed on the cluster itself, which the reference to the cluster orders', () => {
    const stack = ruleStack();
    const cluster = new ecs.CfnCluster(stack, 'Cluster', { capacityProviders: ['FARGATE'] });
    new ecs.CfnService(stack, 'Service', {
      cluster: cluster.ref,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
