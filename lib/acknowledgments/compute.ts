import {
  HIPAA,
  NIST,
  PCI,
  PLAIN_HTTP_LISTENER_RULES,
  TRAFFIC_SHIFTING,
  UNPROTECTED_LOAD_BALANCER,
  WITHOUT_DOMAIN,
  acknowledge,
  guard,
  type AcknowledgmentEntry,
} from './shared';

/** Reviewed findings of the compute layer. */
export const COMPUTE_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Compute layer ----------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::*]'],
    'Compute/Web/TaskRole',
    'ECS Exec (ssmmessages:Create/OpenControlChannel, Create/OpenDataChannel) and the X-Ray write APIs have ' +
      'no resource-level permissions; every other statement of the task role names its resource.',
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::*]'],
    'Compute/Web/ExecutionRole',
    'ecr:GetAuthorizationToken has no resource-level permissions; image pulls and logs are scoped to the ' +
      'repository and the log group. The execution role reads no secret: the application authenticates with IAM.',
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::arn:aws:logs:{region}:{account}:log-group:<WebExecLogs5190C281>:*]'],
    'Compute/Web/TaskRole',
    'ECS Exec writes session logs to streams it creates in its own audit log group; the trailing :* names the ' +
      'streams of that one group.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM5[Resource::{"Fn::GetStackOutput":{"StackName":"{stage}-Data","Region":"{region}","OutputName":"PublishOutputFnGetAttUploads4F6EB0FDArnCD04500A"}}/*]',
    ],
    'Compute/Web/TaskRole',
    'The application reads and writes user uploads under any key of the uploads bucket (keys are per user ' +
      'and not known in advance); actions are named one by one, and the key is usable only through S3.',
  ),
  ...acknowledge(
    ['AwsSolutions-ECS2'],
    'Compute/Web/TaskDefinition',
    'Environment variables carry only non-secret configuration (host names, ports, user, database and bucket ' +
      'names); there are no credentials to inject: the application signs short-lived IAM tokens for PostgreSQL ' +
      'and the cache with its task role.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
    ],
    'Compute/Web/DeploymentRole',
    'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy AWS maintains for ECS native blue/green ' +
      'and canary deployments to move listener-rule weights; a copy of our own would drift from what ECS needs.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]'],
    'Compute/Web/DeploymentProbe/Role',
    'AWSLambdaVPCAccessExecutionRole is the policy AWS maintains for a function in a VPC (its network ' +
      'interfaces and logs); the probe needs nothing else.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-LambdaConcurrency`, `${HIPAA}-LambdaConcurrency`],
    'Compute/Web/DeploymentProbe/Function',
    'ECS calls the probe once per deployment stage, so it never competes for concurrency; reserving some would ' +
      'fail to deploy in new accounts whose quota is 10, the minimum Lambda keeps unreserved.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-LambdaDLQ`, `${HIPAA}-LambdaDLQ`],
    'Compute/Web/DeploymentProbe/Function',
    'ECS invokes the probe synchronously and acts on its answer (or its failure, by rolling back); a ' +
      'dead-letter queue only catches asynchronous invocations.',
    TRAFFIC_SHIFTING,
  ),
  // The listener rules ECS shifts traffic on are created by aws-cdk-lib's AwsCustomResource function
  // (a stack singleton at the stack root), so CloudFormation never writes their actions back.
  ...acknowledge(
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]'],
    'Compute/Web/ListenerRules/Provider/Role',
    'AWSLambdaVPCAccessExecutionRole is the policy AWS maintains for a function in a VPC (its network ' +
      'interfaces and logs); the listener-rule calls are in the role’s own policy, scoped to this load balancer.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM5[Resource::arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/<WebLoadBalancer8E8983B1.LoadBalancerFullName>/*]',
    ],
    'Compute/Web/ListenerRules/Provider/Role',
    'ModifyRule and DeleteRule name the rules of this one load balancer: a rule ARN ends in an ID that ELB ' +
      'assigns at CreateRule, and naming the custom resource’s own ARN would make its policy depend on it (a ' +
      'cycle at create, and no permission left at delete). CreateRule names the two listeners and target groups.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-LambdaConcurrency`, `${HIPAA}-LambdaConcurrency`],
    'Compute/AWS679f53fac002430cb0da5b7982bd2287',
    'The AwsCustomResource function (the listener rules) runs only when CloudFormation creates, updates or ' +
      'deletes a rule, a few times per stack operation; reserving concurrency would fail to deploy in new ' +
      'accounts whose quota is 10, the minimum Lambda keeps unreserved.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-LambdaDLQ`, `${HIPAA}-LambdaDLQ`],
    'Compute/AWS679f53fac002430cb0da5b7982bd2287',
    'Only CloudFormation invokes the AwsCustomResource function, and it waits for the answer at its response ' +
      'URL: the handler answers FAILED itself on any error, and CloudFormation rolls back; a queued event could ' +
      'answer no one.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Compute/AWS679f53fac002430cb0da5b7982bd2287',
    'The AwsCustomResource function runs in the application subnets behind a security group that only opens ' +
      'HTTPS (VpcConfig set on its CfnFunction; tests assert it); the subnet IDs come from the network layer ' +
      'through Fn::GetStackOutput, which the rule cannot read.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-ALBWAFEnabled`, `${PCI}-ALBWAFEnabled`],
    'Compute/Web/LoadBalancer/Resource',
    'The load balancer is internal, with no route from the internet; the web ACL sits at the edge (CloudFront, ' +
      'CLOUDFRONT scope), the only way requests from browsers reach it.',
  ),
  ...acknowledge(
    [
      `${NIST}-ELBDeletionProtectionEnabled`,
      `${HIPAA}-ELBDeletionProtectionEnabled`,
      guard('elbv2_deletion_protection_enabled_check'),
    ],
    'Compute/Web/LoadBalancer/Resource',
    'Without deletion protection the environment is destroyed freely (dev), and a load balancer holds no state; ' +
      'staging and prod have deletion protection.',
    UNPROTECTED_LOAD_BALANCER,
  ),
  ...acknowledge(
    PLAIN_HTTP_LISTENER_RULES,
    'Compute/Web/LoadBalancer/Listener',
    'dev has no domain and so no certificate: its internal listener speaks HTTP inside the VPC only, and ' +
      'browsers reach it through CloudFront over HTTPS. Environments with a domain serve HTTPS with TLS 1.3.',
    WITHOUT_DOMAIN,
  ),
  ...acknowledge(
    PLAIN_HTTP_LISTENER_RULES,
    'Compute/Web/LoadBalancer/TestListener',
    'The test listener (port 9000) serves only the deployment probe, which ECS points at a new revision during ' +
      'blue/green and canary deployments: the security group admits the probe alone, and no user traffic reaches it.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [`${NIST}-CloudWatchAlarmAction`, `${HIPAA}-CloudWatchAlarmAction`, guard('cloudwatch_alarm_action_check')],
    'Compute/Web/RollbackAlarms',
    'These alarms act through ECS: a deployment in progress rolls back when one fires. They notify through ' +
      'the composite Monitoring/Alarms/DeploymentRollback alarm: an action here would make the compute stack ' +
      'reference the monitoring stack, which reads it (a cycle).',
  ),
  ...acknowledge(
    [guard('cloudwatch_log_group_encrypted_check')],
    'Compute/Web',
    "The log groups are encrypted with the data layer's logs key, referenced across stacks with " +
      'Fn::GetStackOutput, which the rule cannot read; tests assert the key on every group.',
  ),
  ...acknowledge(
    [guard('elbv2_logging_enabled_check')],
    'Compute/Web/LoadBalancer/Resource',
    'Access logging is on (access_logs.s3.enabled); the bucket comes from the data layer through ' +
      'Fn::GetStackOutput, which the rule cannot read; tests assert the attributes.',
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Compute/Web/DeploymentProbe/Function',
    'The probe runs in the application subnets (it must reach the internal test listener); the subnet IDs ' +
      'come from the network layer through Fn::GetStackOutput, which the rule cannot read.',
    TRAFFIC_SHIFTING,
  ),
  ...acknowledge(
    [guard('ecs_container_insights_enabled_check')],
    'Compute/Web/Cluster',
    'Container Insights is on in its enhanced mode (containerInsights: enhanced); the rule only accepts the ' +
      'value "enabled", the older, coarser mode.',
  ),
];
