import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, logicalIdOf, referencedLogicalId, renderStackTemplate, renderedProperties } from './template';

/**
 * An `AWS::S3::Bucket` that another bucket of its stack names as the destination of its server
 * access logs (`LoggingConfiguration.DestinationBucketName`) does not enable Object Lock.
 */
export function S3AccessLogDestinationUnlocked(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const self = logicalIdOf(node);
  const sources = Object.entries(renderStackTemplate(node).Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .filter(([, resource]) => {
      const logging = resource.Properties?.LoggingConfiguration;
      return isObject(logging) && referencedLogicalId(logging.DestinationBucketName) === self;
    })
    .map(([id]) => id);
  if (sources.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const locked = [true, 'true'].includes(renderedProperties(node).ObjectLockEnabled as boolean | string);
  return locked ? sources.map((source) => `LogsOf:${source}`) : NagRuleCompliance.COMPLIANT;
}

export const s3AccessLogDestinationUnlocked: DeployReadinessRule = {
  rule: S3AccessLogDestinationUnlocked,
  info:
    'The bucket receives S3 server access logs and has Object Lock enabled: S3 does not deliver server access ' +
    'logs into a bucket with Object Lock. Send them to a bucket without Object Lock (Object Lock cannot be turned ' +
    'off on an existing bucket: this is a new bucket).',
  explanation:
    'The S3 User Guide (Object Lock considerations): "S3 buckets with Object Lock can\'t be used as destination ' +
    'buckets for server access logs." The gates accept the template, and the logs are silently never written.',
};
