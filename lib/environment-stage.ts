import { Aspects, Stage, Tags, type StageProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, PROJECT_TITLE, type EnvironmentConfig, type EnvironmentName } from '../config';
import { CLOUDFRONT_REGION } from '../constructs/edge';
import { ClosedEgress, GeneratedProviderLint } from '../constructs/shared';
import {
  ComputeStack,
  DataStack,
  DrStack,
  EdgeStack,
  MonitoringStack,
  NetworkStack,
  RegistryStack,
  StandbyStack,
} from '../stacks';
import type { EnvironmentStackProps } from '../stacks';
import {
  computeProps,
  dataBackupProps,
  dataProps,
  drProps,
  edgeProps,
  monitoringProps,
  networkProps,
  registryProps,
  standbyProps,
} from './layers';

/** Properties of an {@link EnvironmentStage}. */
export interface EnvironmentStageProps extends StageProps {
  /** The validated configuration of the environment. */
  readonly config: EnvironmentConfig;
  /**
   * Image tag CI deployed (`-c imageTag=...`), overriding the configured one.
   *
   * @default - the configured tag
   */
  readonly imageTag?: string;
}

/**
 * The stage ID of an environment, which is also its CLI selector: `dev` -> `Dev` (`cdk deploy 'Dev/*'`).
 * Derived from the name, so a new environment needs no entry here.
 */
export function stageIdOf(environment: string): string {
  return environment.charAt(0).toUpperCase() + environment.slice(1);
}

/** The stage ID of every committed environment, derived with {@link stageIdOf}. */
export const STAGE_IDS = Object.fromEntries(ENVIRONMENT_NAMES.map((name) => [name, stageIdOf(name)])) as Readonly<
  Record<EnvironmentName, string>
>;

/**
 * Types CDK's L1 marks taggable but whose CloudFormation schema has no Tags (cfn-lint E3002):
 * deploying tags on them fails.
 */
const UNTAGGABLE_TYPES = [
  'AWS::RDS::DBProxyTargetGroup',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
];

/** One environment: its layer stacks, bound to the configured account and region, tagged for cost allocation. */
export class EnvironmentStage extends Stage {
  /** The network layer. */
  public readonly network: NetworkStack;
  /** The data layer. */
  public readonly data: DataStack;
  /** The disaster-recovery region's vault and replica, where backup is on. */
  public readonly dr?: DrStack;
  /** The database's standby in the disaster-recovery region, where `backup.standby` is set. */
  public readonly standby?: StandbyStack;
  /** The image repository. */
  public readonly registry: RegistryStack;
  /** The compute layer. */
  public readonly compute: ComputeStack;
  /** The edge layer, in us-east-1. */
  public readonly edge: EdgeStack;
  /** Alarms and their topics, in the home region (the edge's alarms live in the edge stack). */
  public readonly monitoring: MonitoringStack;

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
      description: `${PROJECT_TITLE} ${config.name}: three-tier VPC, flow logs, database ACL, endpoints`,
      network: networkProps(config),
    });

    // The disaster-recovery region receives copies: its vault and replica bucket exist first.
    this.dr = config.backup.enabled
      ? new DrStack(this, 'Dr', {
          ...common,
          env: { account: config.account, region: config.drRegion },
          availabilityZones: [],
          description: `${PROJECT_TITLE} ${config.name}: backup copy vault and uploads replica (${config.drRegion})`,
          ...drProps(config),
        })
      : undefined;

    this.data = new DataStack(this, 'Data', {
      ...common,
      description: `${PROJECT_TITLE} ${config.name}: keys, PostgreSQL with replicas and proxy, cache, buckets`,
      ...dataProps(config, this.network.network),
      backup:
        this.dr &&
        dataBackupProps(config, {
          // The resources' own attributes: the L2 getters refuse a reference across regions
          // without a physical name, which a key cannot have.
          bucketArn: (this.dr.replicaBucket.node.defaultChild as s3.CfnBucket).attrArn,
          keyArn: (this.dr.replicaKey.node.defaultChild as kms.CfnKey).attrArn,
        }),
    });
    if (this.dr !== undefined) {
      // The plan names the copy vault by its ARN, not by a reference.
      this.data.addStackDependency(this.dr);
    }

    // The standby replicates the data layer's primary, named by its ARN: the primary exists first.
    const standby = standbyProps(config);
    if (standby !== undefined) {
      this.standby = new StandbyStack(this, 'Standby', {
        ...common,
        env: { account: config.account, region: config.drRegion },
        availabilityZones: [...standby.network.availabilityZones],
        description: `${PROJECT_TITLE} ${config.name}: standby database replica and its network (${config.drRegion})`,
        ...standby,
      });
      this.standby.addStackDependency(this.data);
    }

    this.registry = new RegistryStack(this, 'Registry', {
      ...common,
      description: `${PROJECT_TITLE} ${config.name}: image repository`,
      ...registryProps(config),
    });

    this.compute = new ComputeStack(this, 'Compute', {
      ...common,
      description: `${PROJECT_TITLE} ${config.name}: Next.js on ECS Fargate behind an internal load balancer`,
      ...computeProps(config, this.network.network, this.data, props.imageTag),
    });

    // The service runs an image of the registry's repository, referenced by name.
    this.compute.addStackDependency(this.registry);

    this.edge = new EdgeStack(this, 'Edge', {
      ...common,
      // CloudFront's web ACL and certificate must live in us-east-1.
      env: { account: config.account, region: CLOUDFRONT_REGION },
      availabilityZones: [],
      description: `${PROJECT_TITLE} ${config.name}: CloudFront, WAF, certificate and DNS (us-east-1)`,
      ...edgeProps(config, this.compute, this.data),
    });
    // Monitoring reads every other layer's metrics, the edge's across regions (dashboard, canary URL).
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      ...common,
      description: `${PROJECT_TITLE} ${config.name}: alarm topics, alarms, SLOs, canary, dashboard and budget`,
      ...monitoringProps(config, this.compute, this.data, this.edge),
    });

    // Every "no outbound" security group of every layer, ours or another team's, is created closed.
    Aspects.of(this).add(new ClosedEgress());
    // cfn-lint skips W3005 on aws-cdk-lib's generated provider handlers only, not on every template.
    Aspects.of(this).add(new GeneratedProviderLint());

    for (const [key, value] of Object.entries({ ...config.tags, ManagedBy: 'aws-cdk' })) {
      Tags.of(this).add(key, value, { excludeResourceTypes: UNTAGGABLE_TYPES });
    }
  }
}
