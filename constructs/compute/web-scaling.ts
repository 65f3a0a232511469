import { Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { targetTrackingMetricQueries } from './target-tracking-metric';
import type { ResolvedWebServiceProps } from './web-service-props';

/** What the scaling of a web service acts on and watches. */
export interface WebScalingTarget {
  /** The cluster of the service. */
  readonly cluster: ecs.ICluster;
  /** The service whose task count scales. */
  readonly service: ecs.IBaseService;
  /** Load-balancer requests per task, a math expression (see `WebService.metricRequestCountPerTask`). */
  readonly requestCountPerTask: cloudwatch.IMetric;
}

/**
 * Scales the service's task count between `minTasks` and `maxTasks`: target tracking on CPU, memory
 * and requests per task, scheduled bounds, and optionally predictive scaling on CPU. Creates
 * `Scaling` and `ScalingRole` in `scope` (the web service).
 */
export function configureScaling(
  scope: Construct,
  props: ResolvedWebServiceProps,
  target: WebScalingTarget,
): appscaling.ScalableTarget {
  const stack = Stack.of(scope);
  const scaling = new appscaling.ScalableTarget(scope, 'Scaling', {
    serviceNamespace: appscaling.ServiceNamespace.ECS,
    scalableDimension: 'ecs:service:DesiredCount',
    resourceId: `service/${target.cluster.clusterName}/${target.service.serviceName}`,
    minCapacity: props.minTasks,
    maxCapacity: props.maxTasks,
    // The service-linked role Application Auto Scaling creates for ECS, as autoScaleTaskCount uses.
    role: iam.Role.fromRoleArn(
      scope,
      'ScalingRole',
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
        resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
      }),
    ),
  });
  scaling.scaleToTrackMetric('Cpu', {
    predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
    targetValue: props.cpuTargetPercent,
  });
  scaling.scaleToTrackMetric('Memory', {
    predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION,
    targetValue: props.memoryTargetPercent,
  });
  // An L1 policy: scaleToTrackMetric cannot track a math expression, and requests per task must be
  // one, over the whole load balancer, because blue/green deployments alternate target groups.
  new appscaling.CfnScalingPolicy(scaling, 'Requests', {
    policyName: `${stack.stackName}-${props.name}-requests`,
    policyType: 'TargetTrackingScaling',
    scalingTargetId: scaling.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: props.requestsPerTaskPerMinute,
      customizedMetricSpecification: { metrics: targetTrackingMetricQueries(target.requestCountPerTask, 'perTask') },
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    },
  });
  for (const scheduled of props.scheduledCapacity) {
    scaling.scaleOnSchedule(scheduled.name, {
      schedule: appscaling.Schedule.expression(scheduled.schedule),
      timeZone: TimeZone.of(scheduled.timeZone),
      minCapacity: scheduled.minTasks,
      maxCapacity: scheduled.maxTasks,
    });
  }
  if (props.predictiveScaling) {
    new appscaling.CfnScalingPolicy(scaling, 'Predictive', {
      policyName: `${stack.stackName}-${props.name}-predictive`,
      policyType: 'PredictiveScaling',
      scalingTargetId: scaling.scalableTargetId,
      predictiveScalingPolicyConfiguration: {
        mode: 'ForecastAndScale',
        schedulingBufferTime: 300,
        maxCapacityBreachBehavior: 'HonorMaxCapacity',
        metricSpecifications: [
          {
            targetValue: props.cpuTargetPercent,
            predefinedMetricPairSpecification: { predefinedMetricType: 'ECSServiceCPUUtilization' },
          },
        ],
      },
    });
  }
  return scaling;
}
