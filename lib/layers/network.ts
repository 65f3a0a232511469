import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EnvironmentConfig, InterfaceEndpointName } from '../../config';
import type { NetworkProps } from '../../constructs/network';
import { s3GatewayPrefixListOf } from '../../config/aws/vpc';
import { keyAdministratorsOf, removalPolicyOf } from './common';

const INTERFACE_ENDPOINT_SERVICES: Record<InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService> = {
  'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
  'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  ssmmessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  sts: ec2.InterfaceVpcEndpointAwsService.STS,
  xray: ec2.InterfaceVpcEndpointAwsService.XRAY,
};

/** Network layer props. */
export function networkProps(config: EnvironmentConfig): NetworkProps {
  const { network } = config;
  return {
    vpcCidr: network.vpcCidr,
    availabilityZones: [...config.availabilityZones],
    publicSubnetCidrs: [...network.subnets.public],
    applicationSubnetCidrs: [...network.subnets.application],
    databaseSubnetCidrs: [...network.subnets.database],
    natGateways: network.natGateways,
    // The schema only admits values CloudWatch Logs accepts, which are the enum's values.
    flowLogRetention: network.flowLogRetentionDays as logs.RetentionDays,
    interfaceEndpoints: network.interfaceEndpoints.map((name) => INTERFACE_ENDPOINT_SERVICES[name]),
    s3PrefixListId: s3GatewayPrefixListOf(config.region),
    flowLogKeyAdministrators: keyAdministratorsOf(config),
    removalPolicy: removalPolicyOf(config),
  };
}
