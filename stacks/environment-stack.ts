import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Properties shared by every stack of an environment. */
export interface EnvironmentStackProps extends StackProps {
  /** The environment's availability zones, from config: synthesis never looks them up. */
  readonly availabilityZones: string[];
}

/**
 * Base of every layer stack. It answers `availabilityZones` from config, because the
 * default getter of an environment-bound stack is a context lookup that needs AWS
 * credentials, and `Vpc` checks its explicit zones against it.
 */
export class EnvironmentStack extends Stack {
  private readonly configuredAvailabilityZones: string[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    this.configuredAvailabilityZones = [...props.availabilityZones];
  }

  public override get availabilityZones(): string[] {
    return this.configuredAvailabilityZones;
  }
}
