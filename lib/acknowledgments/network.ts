import {
  HIPAA,
  NIST,
  PCI,
  SHORT_FLOW_LOG_RETENTION,
  SHORT_LOG_RETENTION,
  acknowledge,
  guard,
  type AcknowledgmentEntry,
} from './shared';

/** Reviewed findings of the network layer. */
export const NETWORK_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Network layer ----------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-VPC3'],
    'Network/Network/DatabaseAcl',
    'AwsSolutions discourages network ACLs as hard to maintain; this one is a deliberate second fence ' +
      'around the database tier (only the application and database tiers, only the database ports), generated ' +
      'from the subnet layout and covered by tests.',
  ),
  ...[1, 2, 3].flatMap((subnet) =>
    acknowledge(
      [
        `${NIST}-VPCNoUnrestrictedRouteToIGW`,
        `${HIPAA}-VPCNoUnrestrictedRouteToIGW`,
        `${PCI}-VPCNoUnrestrictedRouteToIGW`,
      ],
      `Network/Network/Resource/PublicSubnet${subnet}/DefaultRoute`,
      'The public tier exists to hold the NAT gateways, which need a default route to the internet gateway. ' +
        'No workload runs there: subnets do not assign public IPs, and the application and database tiers have no such route.',
    ),
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Network/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    'aws-cdk-lib ships this singleton provider to strip the default security group (Vpc.restrictDefaultSecurityGroup). ' +
      'It runs only during deployment, calls only the EC2 API, handles no data, and its placement is not configurable.',
  ),
  ...[
    { path: 'Network/Network/FlowLogs/LogGroup', when: SHORT_FLOW_LOG_RETENTION },
    // The function log groups aws-cdk-lib's providers would otherwise create themselves.
    { path: 'Network/Custom::VpcRestrictDefaultSGCustomResourceProvider/OwnedLogs', when: SHORT_FLOW_LOG_RETENTION },
    ...[
      'Data/Database/Logs',
      'Data/Cache/Logs',
      'Data/Custom::S3AutoDeleteObjectsCustomResourceProvider/OwnedLogs',
      'Compute/Web/ExecLogs',
      'Compute/Web/Logs',
      'Compute/Web/ContainerInsightsLogs',
      'Edge/WebAcl/Logs',
    ].map((path) => ({ path, when: SHORT_LOG_RETENTION })),
  ].flatMap(({ path, when }) =>
    acknowledge(
      [guard('cloudwatch_log_group_retention_period_check')],
      path,
      'An environment that keeps logs under a year does so to stay cheap (dev: 14 days): it carries no ' +
        'production traffic or data. staging and prod keep them at least a year, as the control requires.',
      when,
    ),
  ),
];
