import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'TaskSecretNotRotatedUnderTasks';

/** A task definition whose container reads `secret`'s `password` as a secret. */
function taskReading(stack: Stack, secret: secretsmanager.ISecret): ecs.FargateTaskDefinition {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1'),
    secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') },
  });
  return taskDefinition;
}

function rotatedSecret(stack: Stack, id = 'Password'): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(stack, id);
  secret.addRotationSchedule('Rotation', {
    hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser(),
    automaticallyAfter: Duration.days(30),
  });
  return secret;
}

describe(`DeployReadiness-${RULE}`, () => {
  test('flags a container secret from a secret rotated in the same stack', () => {
    const stack = ruleStack();
    const secret = rotatedSecret(stack);
    taskReading(stack, secret);
    const id = stack.resolve((secret.node.defaultChild as secretsmanager.CfnSecret).logicalId) as string;
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Task')).toEqual([`DeployReadiness-${RULE}[${id}]`]);
  });

  test('flags a secret rotated through its target attachment (as CDK schedules RDS secrets)', () => {
    const stack = ruleStack();
    const secret = new secretsmanager.CfnSecret(stack, 'Master', { generateSecretString: {} });
    const attachment = new secretsmanager.CfnSecretTargetAttachment(stack, 'Attachment', {
      secretId: secret.ref,
      targetId: 'db-instance',
      targetType: 'AWS::RDS::DBInstance',
    });
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: attachment.ref,
      rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
      rotationRules: { automaticallyAfterDays: 30 },
    });
    new ecs.CfnTaskDefinition(stack, 'Task', {
      containerDefinitions: [
        {
          name: 'web',
          image: 'public.ecr.aws/nginx/nginx:1',
          secrets: [{ name: 'DB_PASSWORD', valueFrom: `${attachment.ref}:password::` }],
        },
      ],
    });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Task')).toEqual([`DeployReadiness-${RULE}[Master]`]);
  });

  test('accepts a secret nothing rotates, and a task definition without secrets', () => {
    const stack = ruleStack();
    rotatedSecret(stack, 'Other');
    taskReading(stack, new secretsmanager.Secret(stack, 'ApiKey'));
    new ecs.FargateTaskDefinition(stack, 'Plain').addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1'),
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags the same literal ARN in a container secret and a rotation schedule', () => {
    const stack = ruleStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: arn,
      rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
    });
    new ecs.CfnTaskDefinition(stack, 'Task', {
      containerDefinitions: [
        { name: 'web', image: 'nginx', secrets: [{ name: 'DB_PASSWORD', valueFrom: `${arn}:password::` }] },
      ],
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[${arn}]`]);
  });
});
