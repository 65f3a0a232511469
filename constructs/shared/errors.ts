import type { IConstruct } from 'constructs';

/**
 * Thrown when a construct's props cannot work. The message names the construct path,
 * the offending value and the fix, so the author does not have to read the construct.
 *
 * aws-cdk-lib's own `ValidationError` is marked internal, so our constructs use this one.
 */
export class ValidationError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'ValidationError';
  }
}
