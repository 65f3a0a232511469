import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * A service principal that may act only on behalf of the account of `scope`'s stack
 * (`aws:SourceAccount`), which closes the confused-deputy hole of a bare service principal in a
 * role's trust policy.
 *
 * @param service the service's principal, e.g. `ecs-tasks.amazonaws.com`
 */
export function sameAccountServicePrincipal(scope: IConstruct, service: string): iam.ServicePrincipal {
  return new iam.ServicePrincipal(service, {
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  });
}
