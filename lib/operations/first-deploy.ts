import type { EnvironmentConfig } from '../../config';
import { CLOUDFRONT_REGION } from '../../constructs/edge';
import { standbyIdentifierOf } from '../layers/dr';
import { repositoryNameOf } from '../layers/registry';

/** One step of the first deployment of an environment. */
export interface DeployStep {
  /** What the step does, for the progress line. */
  readonly title: string;
  /** The command, as argv: run without a shell. */
  readonly argv: readonly string[];
  /**
   * Stack the step creates, when it creates one: a failure then prints {@link recoverySteps} for
   * it.
   */
  readonly stack?: StackInPlan;
}

/** A stack of the plan, with what can keep CloudFormation from deleting it. */
export interface StackInPlan {
  /** CloudFormation stack name, e.g. `Prod-Compute`. */
  readonly stackName: string;
  /** CLI selector, e.g. `Prod/Compute`. */
  readonly selector: string;
  readonly region: string;
  /** Resources with deletion protection on, which stop a rollback or a delete of a failed create. */
  readonly protectedResources: readonly ProtectedResource[];
}

/** A deletion-protected resource and the command that turns its protection off. */
export interface ProtectedResource {
  readonly description: string;
  /** AWS CLI command that turns the protection off; `<...>` marks what to read from the stack. */
  readonly unprotect: string;
}

/** Options of {@link firstDeployPlan}. */
export interface FirstDeployOptions {
  /** The stage ID, which prefixes stack names and CLI selectors: `Prod`. */
  readonly stageId: string;
  /**
   * Image tag to push and deploy, for environments that run an image from their repository.
   *
   * @default - the configured tag
   */
  readonly imageTag?: string;
  /** The cdk CLI, as argv. @default ['npx', 'cdk'] */
  readonly cdk?: readonly string[];
}

/** The layer stacks of an environment. */
type Layer = 'Network' | 'Registry' | 'Dr' | 'Data' | 'Standby' | 'Compute' | 'Monitoring' | 'Edge';

/**
 * The safe first deployment of one environment.
 *
 * Staging and prod protect their load balancer and database from deletion. When the first create
 * of a stack fails, CloudFormation rolls back by deleting what it created, the protection refuses,
 * and the stack ends in `ROLLBACK_FAILED`, which only a manual clean-up leaves. So every stack is
 * created with `--no-rollback`: a failure leaves the stack in `CREATE_FAILED` with the resources
 * that were created, the cause is fixed, and the same command resumes from the failed resource.
 * Later deployments roll back as usual (an update's rollback never deletes the protected resources).
 *
 * Order: every region is bootstrapped (home, us-east-1, and `drRegion` where backup is on); the
 * network and the image repository come first; the DR stack precedes the data layer that copies
 * into it, and the standby follows the primary it replicates; the image
 * is built and pushed before the compute stack starts tasks that pull it; the edge stack (us-east-1)
 * reads the load balancer; the monitoring stack, last, reads the compute, data and edge stacks.
 */
export function firstDeployPlan(config: EnvironmentConfig, options: FirstDeployOptions): DeployStep[] {
  const cdk = options.cdk ?? ['npx', 'cdk'];
  const context = ['-c', `env=${config.name}`];
  const imageTag = options.imageTag ?? (config.compute.image.source === 'ecr' ? config.compute.image.tag : undefined);
  if (imageTag !== undefined) context.push('-c', `imageTag=${imageTag}`);

  const stack = (layer: Layer): StackInPlan => ({
    stackName: `${options.stageId}-${layer}`,
    selector: `${options.stageId}/${layer}`,
    region:
      layer === 'Edge' ? CLOUDFRONT_REGION : layer === 'Dr' || layer === 'Standby' ? config.drRegion : config.region,
    protectedResources: protectedResourcesOf(config, layer),
  });
  const deploy = (layer: Layer): DeployStep => {
    const target = stack(layer);
    return {
      title: `create ${target.stackName} (${target.region})`,
      argv: [
        ...cdk,
        'deploy',
        target.selector,
        '--exclusively',
        '--no-rollback',
        '--require-approval',
        'never',
        ...context,
      ],
      stack: target,
    };
  };

  const backup = config.backup.enabled;
  const regions = [...new Set([config.region, CLOUDFRONT_REGION, ...(backup ? [config.drRegion] : [])])];
  const steps: DeployStep[] = [
    {
      title: `bootstrap ${regions.join(' and ')} in account ${config.account}`,
      argv: [...cdk, 'bootstrap', ...regions.map((region) => `aws://${config.account}/${region}`), ...context],
    },
    deploy('Network'),
    deploy('Registry'),
  ];
  if (imageTag !== undefined) {
    const registry = `${config.account}.dkr.ecr.${config.region}.amazonaws.com`;
    const image = `${registry}/${repositoryNameOf(config)}:${imageTag}`;
    steps.push(
      {
        title: `log in to ${registry}`,
        argv: [
          'sh',
          '-c',
          `aws ecr get-login-password --region ${config.region} | docker login --username AWS --password-stdin ${registry}`,
        ],
      },
      {
        title: `build and push ${image} (linux/arm64, the tasks' platform)`,
        argv: ['docker', 'buildx', 'build', '--platform', 'linux/arm64', '--tag', image, '--push', 'app'],
      },
    );
  }
  // The DR region's vault and replica bucket exist before the data layer copies and replicates
  // into them; the standby replicates the data layer's primary, so it follows it.
  if (backup) steps.push(deploy('Dr'));
  steps.push(deploy('Data'));
  if (backup && config.backup.standby !== undefined) steps.push(deploy('Standby'));
  steps.push(deploy('Compute'), deploy('Edge'), deploy('Monitoring'));
  return steps;
}

function protectedResourcesOf(config: EnvironmentConfig, layer: Layer): ProtectedResource[] {
  if (layer === 'Compute' && config.compute.deletionProtection) {
    return [
      {
        description: 'the load balancer',
        unprotect:
          `aws elbv2 modify-load-balancer-attributes --region ${config.region} --load-balancer-arn <load balancer ARN> ` +
          '--attributes Key=deletion_protection.enabled,Value=false',
      },
    ];
  }
  if (layer === 'Data' && config.database.deletionProtection) {
    return [
      {
        description: 'the database primary and each read replica',
        unprotect:
          `aws rds modify-db-instance --region ${config.region} --db-instance-identifier <instance id> ` +
          '--no-deletion-protection --apply-immediately',
      },
    ];
  }
  if (layer === 'Standby' && config.database.deletionProtection) {
    return [
      {
        description: 'the standby replica',
        unprotect:
          `aws rds modify-db-instance --region ${config.drRegion} --db-instance-identifier ${standbyIdentifierOf(config)} ` +
          '--no-deletion-protection --apply-immediately',
      },
    ];
  }
  return [];
}

/** What to do when the first create of `stack` failed, as lines for the terminal. */
export function recoverySteps(stack: StackInPlan): string[] {
  const events =
    `aws cloudformation describe-stack-events --region ${stack.region} --stack-name ${stack.stackName} ` +
    `--query "StackEvents[?ends_with(ResourceStatus, 'FAILED')].[LogicalResourceId,ResourceStatusReason]" --output table`;
  const where = `--region ${stack.region} --stack-name ${stack.stackName}`;
  const lines = [
    `${stack.stackName} stopped in CREATE_FAILED and kept what it created (--no-rollback).`,
    `1. Find the cause: ${events}`,
    '2. Fix it (config, permissions, quota) and run this command again: the stack resumes from the failed resource.',
    '3. To give up on the stack instead, roll its create back, which removes what it created (resources kept ' +
      'with RetainExceptOnCreate included), then delete the empty stack:',
  ];
  if (stack.protectedResources.length > 0) {
    lines.push(
      '   first turn off the deletion protection that would refuse it (and that turns an ordinary rollback into ' +
        'ROLLBACK_FAILED):',
      ...stack.protectedResources.map((resource) => `   - on ${resource.description}: ${resource.unprotect}`),
    );
  }
  lines.push(
    `   aws cloudformation rollback-stack ${where} && aws cloudformation wait stack-rollback-complete ${where}`,
    `   aws cloudformation delete-stack ${where}`,
    'A stack already in ROLLBACK_FAILED (created without this command): turn the protection off as above, then ' +
      `aws cloudformation delete-stack ${where}; add --retain-resources <logical IDs> for any resource that still refuses.`,
  );
  return lines;
}

/** What to check once every stack exists, as lines for the terminal. */
export function afterDeployChecks(config: EnvironmentConfig, stageId: string): string[] {
  const cluster = `<cluster name from ${stageId}-Compute>`;
  return [
    `ECS: the service is steady: aws ecs describe-services --region ${config.region} --cluster ${cluster} --services <service> ` +
      '--query "services[0].[runningCount,desiredCount,deployments[0].rolloutState]"',
    `ALB: every target is healthy: aws elbv2 describe-target-health --region ${config.region} --target-group-arn <blue target group ARN>`,
    `RDS: the primary and replicas are available: aws rds describe-db-instances --region ${config.region} ` +
      '--query "DBInstances[].[DBInstanceIdentifier,DBInstanceStatus]"',
    `Edge: the distribution is deployed and /api/health answers 200 through it: curl -sSf https://<distribution or your domain>/api/health`,
    `Route 53: the health check reports healthy: aws route53 get-health-check-status --health-check-id <id from ${stageId}-Edge>`,
  ];
}
