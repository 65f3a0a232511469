import { z } from 'zod';
import { subnetLayoutProblems } from '../constructs/network/subnet-layout';

/** The environments this project deploys. Adding one is a deliberate change here and in `config/index.ts`. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Retention periods CloudWatch Logs accepts; anything else fails at deploy time, so fail at synth. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Interface endpoints the network layer knows how to create. */
export const INTERFACE_ENDPOINTS = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm', 'kms', 'sts'] as const;
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINTS)[number];

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const region = z
  .string()
  .regex(REGION_PATTERN, { error: (issue) => `"${String(issue.input)}" is not an AWS region name (e.g. eu-west-1)` });

/** CIDRs are checked as a whole layout (format, containment, overlap) in the refinement below. */
const cidr = z.string();

const retentionDays = z.number().refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
  error: (issue) =>
    `${String(issue.input)} is not a CloudWatch Logs retention period; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
});

const positiveCount = z.number().int({ error: 'must be a whole number' }).positive({ error: 'must be at least 1' });

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

/** One subnet CIDR per availability zone, in the order of `availabilityZones`. */
const subnetTier = z.array(cidr);

/**
 * The shape of one environment's configuration. Every later layer adds its own section here.
 */
export const environmentConfigSchema = z
  .strictObject({
    /** Environment name; also the stage selector (`-c env=<name>`). */
    name: z.enum(ENVIRONMENT_NAMES),
    /** 12-digit AWS account id the environment deploys to. */
    account: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
    /** Home region of the environment. */
    region,
    /** Exactly three availability zones of `region`, named explicitly so synthesis needs no lookup. */
    availabilityZones: z.array(nonEmpty).length(3, { error: 'exactly three availability zones are required' }),
    /** Region that receives backup copies for disaster recovery; must differ from `region`. */
    drRegion: region,
    /** What happens to stateful resources (keys, log groups, later databases) when their stack is deleted. */
    removalPolicy: z.enum(['destroy', 'retain']),
    network: z.strictObject({
      /** The VPC's IPv4 block; /16 to /24. */
      vpcCidr: cidr,
      /** Per-tier subnet CIDRs, one per availability zone. */
      subnets: z.strictObject({
        /** Internet-facing tier: NAT gateways and, later, nothing else. */
        public: subnetTier,
        /** Private tier with NAT egress: ECS tasks, internal load balancer, interface endpoints. */
        application: subnetTier,
        /** Isolated tier without any route to the internet: databases and caches. */
        database: subnetTier,
      }),
      /** NAT gateways; 1 is cheap but a single-AZ dependency, one per AZ is highly available. */
      natGateways: positiveCount,
      /** Interface endpoints to create in the application tier, keeping image pulls and secrets off NAT. */
      interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)),
      /** Retention of VPC flow logs, in days. */
      flowLogRetentionDays: retentionDays,
    }),
    /** Default retention of application and audit log groups, in days. */
    logRetentionDays: retentionDays,
    /** Cost-allocation tags applied to every resource (plus `ManagedBy`). */
    tags: z.strictObject({
      Project: nonEmpty,
      Environment: nonEmpty,
      Owner: nonEmpty,
      CostCenter: nonEmpty,
    }),
  })
  .superRefine((config, ctx) => {
    const azCount = config.availabilityZones.length;

    config.availabilityZones.forEach((az, index) => {
      if (!new RegExp(`^${config.region}[a-z]$`).test(az)) {
        ctx.addIssue({
          code: 'custom',
          path: ['availabilityZones', index],
          message: `"${az}" is not an availability zone of region ${config.region} (expected ${config.region}a, ${config.region}b, ...)`,
        });
      }
    });
    if (new Set(config.availabilityZones).size !== azCount) {
      ctx.addIssue({ code: 'custom', path: ['availabilityZones'], message: 'availability zones must be distinct' });
    }

    if (config.drRegion === config.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['drRegion'],
        message: `must differ from region (${config.region}): a disaster-recovery copy in the same region does not survive a regional outage`,
      });
    }

    if (config.network.natGateways > azCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'natGateways'],
        message: `${config.network.natGateways} NAT gateways for ${azCount} availability zones; use at most one per AZ`,
      });
    }

    const layoutProblems = subnetLayoutProblems({
      vpcCidr: config.network.vpcCidr,
      tiers: config.network.subnets,
      azCount,
    });
    for (const problem of layoutProblems) {
      const path = problem.path[0] === 'vpcCidr' ? ['network', 'vpcCidr'] : ['network', 'subnets', ...problem.path];
      ctx.addIssue({ code: 'custom', path, message: problem.message });
    }
  });

/** A validated environment configuration. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** What a config file declares, before validation. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
