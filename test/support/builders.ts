import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { WebService, type WebServiceProps } from '../../constructs/compute';
import {
  CacheCluster,
  CrossRegionReplica,
  PostgresDatabase,
  type CacheClusterProps,
  type CrossRegionReplicaProps,
  type PostgresDatabaseProps,
} from '../../constructs/data';
import { TEST_AZS, testFixture, testStack, type TestStackOptions } from './test-stack';

/** Props, or props built from the stack (for tokens such as a `CfnParameter`). */
export type Overrides<T> = Partial<T> | ((stack: Stack) => Partial<T>);

const resolve = <T>(overrides: Overrides<T>, stack: Stack): Partial<T> =>
  typeof overrides === 'function' ? overrides(stack) : overrides;

/** A {@link PostgresDatabase} `Db` with minimal valid props in a {@link testFixture}. */
export function testDatabase(overrides: Overrides<PostgresDatabaseProps> = {}, options: TestStackOptions = {}) {
  const f = testFixture(options);
  const db = new PostgresDatabase(f.stack, 'Db', {
    vpc: f.vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    availabilityZones: TEST_AZS,
    engineVersion: rds.PostgresEngineVersion.VER_17_6,
    instanceType: new ec2.InstanceType('t4g.medium'),
    identifierPrefix: 'test-app',
    encryptionKey: f.key,
    logEncryptionKey: f.logKey,
    ...resolve(overrides, f.stack),
  });
  return { ...f, db };
}

/** A {@link CacheCluster} `Cache` with minimal valid props in a {@link testFixture}. */
export function testCache(overrides: Overrides<CacheClusterProps> = {}, options: TestStackOptions = {}) {
  const f = testFixture(options);
  const cache = new CacheCluster(f.stack, 'Cache', {
    vpc: f.vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    replicationGroupId: 'test-cache',
    encryptionKey: f.key,
    logEncryptionKey: f.logKey,
    ...resolve(overrides, f.stack),
  });
  return { ...f, cache };
}

/** A {@link WebService} `Web` with minimal valid props in a VPC of its own. */
export function testWebService(overrides: Overrides<WebServiceProps> = {}, options: TestStackOptions = {}) {
  const stack = testStack(options);
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 1 });
  const web = new WebService(stack, 'Web', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
    name: 'test-web',
    logEncryptionKey: new kms.Key(stack, 'Key'),
    ...resolve(overrides, stack),
  });
  return { stack, vpc, web };
}

/**
 * A {@link CrossRegionReplica} `Standby` in eu-central-1 of `shop-prod-primary` in eu-west-1, in an
 * isolated VPC, with `overrides`.
 */
export function testStandbyReplica(overrides: Partial<CrossRegionReplicaProps> = {}) {
  const stack = testStack({ region: 'eu-central-1' });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'Database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const replica = new CrossRegionReplica(stack, 'Standby', {
    sourceInstanceIdentifier: 'shop-prod-primary',
    sourceRegion: 'eu-west-1',
    engineVersion: rds.PostgresEngineVersion.of('17.6', '17'),
    instanceIdentifier: 'shop-prod-standby',
    instanceType: new ec2.InstanceType('r7g.large'),
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: new kms.Key(stack, 'StorageKey'),
    logEncryptionKey: new kms.Key(stack, 'LogKey'),
    maxAllocatedStorageGiB: 1000,
    ...overrides,
  });
  return { stack, replica };
}
