import { Stage, Tags, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { NetworkStack } from '../stacks';
import type { EnvironmentStackProps } from './environment-stack';
import { networkProps } from './layer-props';

/** Properties of an {@link EnvironmentStage}. */
export interface EnvironmentStageProps extends StageProps {
  /** The validated configuration of the environment. */
  readonly config: EnvironmentConfig;
}

/** Stage IDs, which are also the CLI selectors: `cdk deploy 'Dev/*'`. */
export const STAGE_IDS = { dev: 'Dev', staging: 'Staging', prod: 'Prod' } as const;

/** One environment: its layer stacks, bound to the configured account and region, tagged for cost allocation. */
export class EnvironmentStage extends Stage {
  /** The network layer. */
  public readonly network: NetworkStack;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    const { config } = props;
    const env = { account: config.account, region: config.region };
    super(scope, id, { ...props, env });

    const common: EnvironmentStackProps = {
      env,
      availabilityZones: [...config.availabilityZones],
      // Protected environments keep their stacks from an accidental `cdk destroy`.
      terminationProtection: config.removalPolicy === 'retain',
    };

    this.network = new NetworkStack(this, 'Network', {
      ...common,
      description: `Learning Assistant ${config.name}: three-tier VPC, flow logs, database ACL, endpoints`,
      network: networkProps(config),
    });

    for (const [key, value] of Object.entries(config.tags)) {
      Tags.of(this).add(key, value);
    }
    Tags.of(this).add('ManagedBy', 'aws-cdk');
  }
}
