import type { Construct } from 'constructs';
import { Network, type INetwork, type NetworkProps } from '../constructs/network';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Properties of a {@link NetworkStack}. */
export interface NetworkStackProps extends EnvironmentStackProps {
  /** The network layer. */
  readonly network: NetworkProps;
}

/** The network layer of one environment. */
export class NetworkStack extends EnvironmentStack {
  /** The three-tier VPC, its flow logs, ACLs and endpoints. */
  public readonly network: INetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.network = new Network(this, 'Network', props.network);
  }
}
