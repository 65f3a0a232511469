import { App, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ValidationError } from '../../constructs/shared';

/** The zones of every construct test. */
export const TEST_AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/**
 * A stack bound to a test account and region whose `availabilityZones` are {@link TEST_AZS}: the
 * default getter of an environment-bound stack is a context lookup, as in `EnvironmentStack`.
 */
export class TestStack extends Stack {
  public override get availabilityZones(): string[] {
    return TEST_AZS;
  }
}

/** Options of {@link testStack}. */
export interface TestStackOptions {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default 'Test' */
  readonly id?: string;
  /** App context, e.g. feature flags. @default - none */
  readonly context?: Record<string, unknown>;
  /** Other stack props. @default - none */
  readonly props?: StackProps;
}

/** A {@link TestStack} in a fresh app without the built-in template validation (the gates test that) or bundling. */
export function testStack(options: TestStackOptions = {}): TestStack {
  // No asset bundling (the probe Lambda's esbuild run): construct tests read templates, and the
  // environment tests prove the bundle itself.
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], ...options.context },
  });
  return new TestStack(app, options.id ?? 'Test', {
    env: { account: '123456789012', region: options.region ?? 'eu-west-1' },
    ...options.props,
  });
}

/** What most construct tests build on: a three-tier VPC over {@link TEST_AZS}, two keys and a client. */
export function testFixture(options: TestStackOptions = {}) {
  const stack = testStack(options);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: TEST_AZS,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const key = new kms.Key(stack, 'Key');
  const logKey = new kms.Key(stack, 'LogKey');
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc });
  return { stack, vpc, key, logKey, client };
}

/** The message a construct's validation throws, or `''` when `build` succeeds. */
export function thrown(build: () => unknown): string {
  try {
    build();
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
}
