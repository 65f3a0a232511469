import { Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentName } from '../config';
import { GUARD_NAMESPACE, type Finding } from './compliance';

/**
 * One reviewed compliance finding that the project accepts.
 *
 * Fixing the resource beats acknowledging the finding. An entry is as narrow as the
 * finding: one rule id (with its `[finding]` suffix where the rule has one) on one
 * construct path. A test fails when an entry no longer matches a finding.
 */
export interface AcknowledgmentEntry {
  /** The finding id exactly as reported, e.g. `AwsSolutions-IAM4[Policy::...]` or `cdk-validator-cfnguard::<rule>`. */
  readonly id: string;
  /** Construct path below the stage, e.g. `Network/Network/Resource`. Covers that construct and its children. */
  readonly path: string;
  /** Why the finding is acceptable here: specific to this resource, never "not needed". */
  readonly reason: string;
  /**
   * Environments the finding occurs in.
   *
   * @default - every environment
   */
  readonly environments?: readonly EnvironmentName[];
}

const PUBLIC_ROUTE_REASON =
  'The public tier exists to hold the NAT gateways, which need a default route to the internet gateway. ' +
  'No workload runs there: subnets do not assign public IPs, and the application and database tiers have no such route.';

/**
 * The project's single registry of acknowledged findings. Review every change to it.
 */
export const ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Network layer ----------------------------------------------------------------------------
  {
    id: 'AwsSolutions-VPC3',
    path: 'Network/Network/DatabaseAcl',
    reason:
      'AwsSolutions discourages network ACLs as hard to maintain; this one is a deliberate second fence ' +
      'around the database tier (only the application and database tiers, only the database ports), generated ' +
      'from the subnet layout and covered by tests.',
  },
  ...(['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const).flatMap((pack) =>
    [1, 2, 3].map((subnet) => ({
      id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
      path: `Network/Network/Resource/PublicSubnet${subnet}/DefaultRoute`,
      reason: PUBLIC_ROUTE_REASON,
    })),
  ),
  {
    id: 'CloudFormation-Validate::W3010',
    path: 'Network/Network/Resource',
    reason:
      'Availability zones are pinned in config on purpose: synthesis runs offline without lookups, and each ' +
      'tier is laid out with fixed CIDRs per zone. Moving to other zones is a reviewed config change.',
  },
  {
    id: `${GUARD_NAMESPACE}::lambda_inside_vpc_check`,
    path: 'Network/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    reason:
      'aws-cdk-lib ships this singleton provider to strip the default security group (Vpc.restrictDefaultSecurityGroup). ' +
      'It runs only during deployment, calls only the EC2 API, handles no data, and its placement is not configurable.',
  },
  {
    id: `${GUARD_NAMESPACE}::cloudwatch_log_group_retention_period_check`,
    path: 'Network/Network/FlowLogs/LogGroup',
    environments: ['dev'],
    reason:
      'dev keeps flow logs for 14 days to stay cheap: it carries no production traffic or data. ' +
      'staging and prod keep them at least a year, as the control requires.',
  },
];

/**
 * Applies the registry to one environment's stage with `Validations.acknowledge`, the
 * mechanism both cdk-nag and the cfn-guard plugin honour.
 *
 * @returns the entries applied, with their full construct paths
 * @throws Error when an entry names a construct that does not exist: the registry is stale
 */
export function applyAcknowledgments(
  stage: Stage,
  environment: EnvironmentName,
  entries: readonly AcknowledgmentEntry[] = ACKNOWLEDGMENTS,
): AppliedAcknowledgment[] {
  return entries
    .filter((entry) => entry.environments === undefined || entry.environments.includes(environment))
    .map((entry) => {
      const target = findByPath(stage, entry.path);
      if (target === undefined) {
        throw new Error(
          `Acknowledgment "${entry.id}" names ${stage.node.path}/${entry.path}, which does not exist in ${environment}; update lib/acknowledgments.ts`,
        );
      }
      Validations.of(target).acknowledge({ id: entry.id, reason: entry.reason });
      return { ...entry, environment, fullPath: target.node.path };
    });
}

/** An acknowledgment as applied to one environment. */
export interface AppliedAcknowledgment extends AcknowledgmentEntry {
  readonly environment: EnvironmentName;
  /** The construct path the acknowledgment was attached to. */
  readonly fullPath: string;
}

/** True when the acknowledgment covers the finding: same id, on the construct or below it. */
export function covers(ack: AppliedAcknowledgment, finding: Finding): boolean {
  return ack.id === finding.id && (finding.path === ack.fullPath || finding.path.startsWith(`${ack.fullPath}/`));
}

function findByPath(root: IConstruct, relativePath: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const segment of relativePath.split('/')) {
    node = node?.node.tryFindChild(segment);
  }
  return node;
}
