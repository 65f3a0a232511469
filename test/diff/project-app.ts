import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stage, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { PostgresDatabase, SecureBucket } from '../../constructs/data';
import { Network } from '../../constructs/network';
import { EnvironmentStack } from '../../stacks/environment-stack';

/**
 * What differs between two versions of the small project app the diff tests synthesize: each option is
 * one kind of change a pull request makes.
 */
export interface ProjectAppVariant {
  /** @default rds.PostgresEngineVersion.VER_16_9 */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /** Construct ID of the uploads bucket: another ID is a renamed construct. @default 'Uploads' */
  readonly uploadsId?: string;
  /** @default true */
  readonly uploads?: boolean;
  /** Lets any IPv4 address reach the database (instead of the application's security group). @default false */
  readonly databaseOpenToAnyone?: boolean;
  /** Value of the `CostCenter` tag on every resource. @default 'learning-assistant-prod' */
  readonly costCenter?: string;
  /** Third octet of the database subnets: changing it replaces them, outputs the Data stack reads. @default 64 */
  readonly databaseSubnetOctet?: number;
}

const ENV = { account: '123456789012', region: 'eu-west-1' };
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** The project's feature flags (cdk.json), so the templates are rendered as `cdk synth` renders them. */
function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  // No asset bundling (the database bootstrap's esbuild run): the diff reads templates only.
  // Construct paths in the templates' metadata, as the cdk CLI asks for them.
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true };
}

/**
 * Synthesizes a `Prod` stage of two stacks into `outdir`, as the project lays them out: `Prod/Network`
 * (the project's `Network`) and `Prod/Data` (`PostgresDatabase` with a replica, `SecureBucket`), which
 * reads the network's outputs through weak references (`Fn::GetStackOutput`), both `EnvironmentStack`s
 * with the project's feature flags.
 *
 * @returns `outdir`
 */
export function synthProjectApp(outdir: string, variant: ProjectAppVariant = {}): string {
  // No built-in template validation: it only warns, and takes as long as the synthesis.
  const app = new App({ outdir, context: projectContext(), builtinCloudFormationValidation: false });
  const stage = new Stage(app, 'Prod', { env: ENV });
  Tags.of(stage).add('CostCenter', variant.costCenter ?? 'learning-assistant-prod');

  const networkStack = new EnvironmentStack(stage, 'Network', { availabilityZones: AZS, stackName: 'Prod-Network' });
  const octet = variant.databaseSubnetOctet ?? 64;
  const network = new Network(networkStack, 'Network', {
    vpcCidr: '10.50.0.0/16',
    availabilityZones: AZS,
    natGateways: 1,
    publicSubnetCidrs: ['10.50.0.0/24', '10.50.1.0/24', '10.50.2.0/24'],
    applicationSubnetCidrs: ['10.50.16.0/20', '10.50.32.0/20', '10.50.48.0/20'],
    databaseSubnetCidrs: [0, 1, 2].map((i) => `10.50.${octet + i}.0/24`),
  });

  const dataStack = new EnvironmentStack(stage, 'Data', { availabilityZones: AZS, stackName: 'Prod-Data' });
  const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
  const logKey = new kms.Key(dataStack, 'LogKey', { enableKeyRotation: true });
  const application = new ec2.SecurityGroup(dataStack, 'Application', { vpc: network.vpc, allowAllOutbound: false });
  const database = new PostgresDatabase(dataStack, 'Database', {
    vpc: network.vpc,
    subnets: network.databaseSubnets,
    availabilityZones: AZS,
    engineVersion: variant.engineVersion ?? rds.PostgresEngineVersion.VER_16_9,
    instanceType: new ec2.InstanceType('t4g.medium'),
    identifierPrefix: 'learning-assistant-prod',
    readReplicas: 1,
    encryptionKey: key,
    logEncryptionKey: logKey,
  });
  database.allowFrom(variant.databaseOpenToAnyone === true ? ec2.Peer.anyIpv4() : application);
  if (variant.uploads ?? true) {
    new SecureBucket(dataStack, variant.uploadsId ?? 'Uploads', { encryptionKey: key });
  }

  app.synth();
  return outdir;
}
