import { Fn, Stack, type CfnResource, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';

/** Properties of {@link ownProviderLogGroup}. */
export interface ProviderLogGroupProps {
  /**
   * Construct ID of the stack-wide provider aws-cdk-lib creates, e.g.
   * `Custom::VpcRestrictDefaultSGCustomResourceProvider`.
   */
  readonly providerId: string;
  /** The custom resource that invokes the provider's function: it waits for the group. */
  readonly customResource: IConstruct;
  /** Key of the group; its policy must let this region's CloudWatch Logs use it. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the group. */
  readonly retention: logs.RetentionDays;
  /** Removal of the group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The log group of the function behind one of aws-cdk-lib's stack-wide custom resource providers
 * (`CustomResourceProvider`, which takes no logging settings), which Lambda would otherwise create
 * on the first invocation, unencrypted and kept forever.
 *
 * The function's name is known only once it exists, so the group is created after the function
 * (its name reads the function's `Ref`) and before the custom resource that invokes it (made to
 * wait for the group). Deletion runs the other way: the custom resource's last invocation still
 * logs into the group, then the group goes, then the function. Several custom resources served by
 * one provider share the group, made on the first call; later calls only add their dependency.
 */
export function ownProviderLogGroup(scope: Construct, props: ProviderLogGroupProps): logs.ILogGroup {
  const provider = Stack.of(scope).node.tryFindChild(props.providerId);
  const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
  if (provider === undefined || handler === undefined) {
    throw new ValidationError(
      scope,
      `aws-cdk-lib no longer creates the function of ${props.providerId} where expected: its log group cannot be made`,
    );
  }
  const existing = provider.node.tryFindChild('OwnedLogs') as logs.ILogGroup | undefined;
  const logGroup =
    existing ??
    new logs.LogGroup(provider as Construct, 'OwnedLogs', {
      logGroupName: Fn.join('', ['/aws/lambda/', handler.ref]),
      encryptionKey: props.encryptionKey,
      retention: props.retention,
      removalPolicy: props.removalPolicy,
    });
  props.customResource.node.addDependency(logGroup);
  return logGroup;
}
