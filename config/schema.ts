import { z } from 'zod';
import { WebDeploymentStrategy, webServiceProblems } from '../constructs/compute/web-service-rules';
import { cacheClusterProblems } from '../constructs/data/cache-rules';
import { postgresDatabaseProblems } from '../constructs/data/postgres-rules';
import { secureBucketProblems } from '../constructs/data/secure-bucket-rules';
import { networkProblems } from '../constructs/network/network-rules';
import type { Problem } from '../constructs/shared/problems';

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

/** Cache engine versions per engine that ElastiCache offers with TLS, AUTH and Multi-AZ. */
export const CACHE_ENGINE_VERSIONS = { redis: ['6.2', '7.0', '7.1'], valkey: ['7.2', '8.0', '8.1'] } as const;

/** Deployment strategies by their config name, as the web service takes them. */
export const DEPLOYMENT_STRATEGIES = {
  rolling: WebDeploymentStrategy.ROLLING,
  'blue-green': WebDeploymentStrategy.BLUE_GREEN,
  canary: WebDeploymentStrategy.CANARY,
  linear: WebDeploymentStrategy.LINEAR,
} as const;
export type DeploymentStrategyName = keyof typeof DEPLOYMENT_STRATEGIES;

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

const countryCode = z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166 alpha-2 country code, e.g. DE' });

/** One subnet CIDR per availability zone, in the order of `availabilityZones`. */
const subnetTier = z.array(cidr);

/**
 * The shape of one environment's configuration. Every later layer adds its own section here.
 */
const environmentShape = z.strictObject({
  /** Environment name; also the stage selector (`-c env=<name>`). */
  name: z.enum(ENVIRONMENT_NAMES),
  /** 12-digit AWS account id the environment deploys to. */
  account: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
  /** Home region of the environment. */
  region,
  /** Exactly three availability zones of `region`, named explicitly so synthesis needs no lookup. */
  // A refinement, not .length(3): zod aborts on a length mismatch, which would hide every other problem.
  availabilityZones: z
    .array(nonEmpty)
    .refine((zones) => zones.length === 3, { error: 'exactly three availability zones are required' }),
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
    /** NAT gateways, 1 to one per AZ (`networkProblems`); 1 is cheap but a single-AZ dependency. */
    natGateways: z.number(),
    /** Interface endpoints to create in the application tier, keeping image pulls and secrets off NAT. */
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)),
    /** Retention of VPC flow logs, in days. */
    flowLogRetentionDays: retentionDays,
  }),
  /** PostgreSQL on RDS: a primary, optional read replicas, pooling through RDS Proxy. */
  database: z.strictObject({
    /** Full PostgreSQL version, e.g. `17.6` (a bare major is deprecated by CloudFormation). */
    engineVersion: z
      .string()
      .regex(/^1[6-8]\.\d+$/, { error: 'must be a full PostgreSQL 16 to 18 version, e.g. 17.6' }),
    /** Graviton instance class without the `db.` prefix, e.g. `r7g.large`. */
    instanceClass: z.string().regex(/^(t4g|m6g|m7g|m8g|r6g|r7g|r8g|x2g)\.[a-z0-9]+$/, {
      error: (issue) => `"${String(issue.input)}" is not a Graviton instance class (e.g. t4g.micro, r7g.large)`,
    }),
    /** Initial gp3 storage, in GiB (at least 20). */
    allocatedStorageGiB: z.number().int().min(20, { error: 'gp3 needs at least 20 GiB' }),
    /** Ceiling of storage autoscaling, in GiB. */
    maxAllocatedStorageGiB: positiveCount,
    /** A synchronous standby in another AZ. */
    multiAz: z.boolean(),
    /** Read replicas, spread over the other AZs (range: `postgresDatabaseProblems`). */
    readReplicas: z.number(),
    /** Automated backups (and point-in-time recovery window), in days: 1 to 35 (`postgresDatabaseProblems`). */
    backupRetentionDays: z.number(),
    /** Performance Insights, encrypted with the database key. */
    performanceInsights: z.boolean(),
    /** Enhanced monitoring interval, in seconds; 0 turns it off (values: `postgresDatabaseProblems`). */
    monitoringIntervalSeconds: z.number(),
    /** Days between automatic rotations of the database credentials. */
    credentialRotationDays: z.number().int().min(1).max(365),
    /** Refuse to delete the instance (and keep a final snapshot when its stack goes). */
    deletionProtection: z.boolean(),
    /** Statements slower than this are logged, in milliseconds. */
    slowStatementThresholdMs: positiveCount,
  }),
  /** ElastiCache replication group (Redis OSS or Valkey). */
  cache: z.strictObject({
    engine: z.enum(['redis', 'valkey']),
    /** Engine version, e.g. `7.1` for Redis OSS or `8.0` for Valkey. */
    engineVersion: z.string(),
    /** Node type, e.g. `cache.t4g.micro`. */
    nodeType: z.string().regex(/^cache\.(t4g|m6g|m7g|r6g|r7g)\.[a-z0-9]+$/, {
      error: (issue) => `"${String(issue.input)}" is not a Graviton cache node type (e.g. cache.t4g.small)`,
    }),
    /** Cluster mode (data sharded over `shards` node groups). */
    clusterMode: z.boolean(),
    /** Node groups; more than 1 needs cluster mode (`cacheClusterProblems`). */
    shards: z.number(),
    /** Replicas per shard, 0 to 5 (`cacheClusterProblems`). */
    replicasPerShard: z.number(),
    /** Automatic failover to a replica in another AZ. */
    multiAz: z.boolean(),
    /** Daily snapshots kept, in days; 0 turns them off, at most 35 (`cacheClusterProblems`). */
    snapshotRetentionDays: z.number(),
  }),
  /** S3 buckets for user uploads and for access logs. */
  storage: z.strictObject({
    /** Days a replaced or deleted object version is kept before it expires (`secureBucketProblems`). */
    noncurrentVersionExpirationDays: z.number(),
    /** Days after which access logs move to infrequent access, at least 30 (`secureBucketProblems`). */
    logTransitionDays: z.number(),
    /** Days after which access logs expire, after the transition (`secureBucketProblems`). */
    logExpirationDays: z.number(),
  }),
  /**
   * Public DNS: the Route53 zone the environment serves under. Without it the environment serves on
   * CloudFront's domain and the load balancer speaks HTTP inside the VPC.
   */
  domain: z
    .strictObject({
      /** Zone name, e.g. `learning-assistant.example.com`. */
      zoneName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { error: 'must be a lowercase DNS name' }),
      /** Hosted zone id, e.g. `Z0123456789ABCDEFGHIJ` (no lookups at synth time). */
      hostedZoneId: z.string().regex(/^Z[A-Z0-9]{6,31}$/, { error: 'must be a Route53 hosted zone id (Z...)' }),
    })
    .optional(),
  /** The Next.js application on ECS Fargate. */
  compute: z.strictObject({
    /** Where the image comes from: built from `app/` at deploy time, or a tag of the environment's ECR repository. */
    image: z.discriminatedUnion('source', [
      z.strictObject({ source: z.literal('asset') }),
      z.strictObject({
        source: z.literal('ecr'),
        tag: z.string().regex(/^[\w][\w.-]{0,127}$/, { error: 'must be a Docker tag' }),
      }),
    ]),
    /** Images kept in the repository; older ones expire. */
    repositoryMaxImages: positiveCount,
    /** Task CPU in Fargate units (1024 = 1 vCPU). */
    cpuUnits: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]),
    /** Task memory, in MiB. */
    memoryMiB: positiveCount,
    /** Bounds of the task count: 1 <= minTasks <= maxTasks (`webServiceProblems`). */
    minTasks: z.number(),
    maxTasks: z.number(),
    /** Share of tasks on Fargate Spot, 0 to 100 (100: all Spot; `webServiceProblems`). */
    spotPercent: z.number(),
    /** Target CPU utilization, in percent. */
    cpuTargetPercent: z.number().int().min(10).max(90),
    /** Target memory utilization, in percent. */
    memoryTargetPercent: z.number().int().min(10).max(90),
    /** Target load-balancer requests per task per minute. */
    requestsPerTaskPerMinute: positiveCount,
    /** Scheduled changes of the task-count bounds. */
    scheduledScaling: z.array(
      z.strictObject({
        name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'must be PascalCase, e.g. BusinessHours' }),
        /** `cron(...)`, `rate(...)` or `at(...)` (`webServiceProblems`). */
        schedule: z.string(),
        timeZone: z
          .string()
          .regex(/^[A-Za-z_]+(\/[A-Za-z_]+)*$/, { error: 'must be an IANA time zone, e.g. Europe/Berlin' }),
        /** Whole numbers of at least 1 (`webServiceProblems`). */
        minTasks: z.number(),
        maxTasks: z.number().optional(),
      }),
    ),
    /** Predictive scaling on CPU. */
    predictiveScaling: z.boolean(),
    /** How new revisions replace old ones. */
    deployment: z.strictObject({
      strategy: z.enum(Object.keys(DEPLOYMENT_STRATEGIES) as [DeploymentStrategyName, ...DeploymentStrategyName[]]),
      /** Traffic moved per step, in percent (canary and linear). */
      stepPercent: z.number(),
      /** Minutes between steps (canary and linear). */
      stepIntervalMinutes: z.number().int().min(0).max(1440),
      /** Minutes the new revision serves all traffic before the old one goes. */
      bakeTimeMinutes: z.number().int().min(0).max(1440),
      /** Roll back when more than this percentage of answers are 5xx. */
      rollback5xxPercent: z.number().min(0.1).max(100),
      /** Roll back when p95 latency exceeds this, in milliseconds. */
      rollbackLatencyP95Ms: positiveCount,
    }),
    /** OpenTelemetry collector sidecar sending traces to X-Ray. */
    tracing: z.boolean(),
    /** Refuse deletion of the load balancer. */
    deletionProtection: z.boolean(),
  }),
  /** The CDN and web application firewall in front of the app (their stack lives in us-east-1). */
  edge: z.strictObject({
    /**
     * ID of the managed prefix list `com.amazonaws.global.cloudfront.origin-facing` in `region`
     * (look it up once with `aws ec2 describe-managed-prefix-lists`): the load balancer admits it.
     */
    originFacingPrefixListId: z.string().regex(/^pl-[0-9a-f]{8,17}$/, { error: 'must be a prefix list id (pl-...)' }),
    priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
    /** Region of Origin Shield, usually the app's region; leave out for none. */
    originShieldRegion: region.optional(),
    geoRestriction: z.strictObject({
      type: z.enum(['none', 'allowlist', 'denylist']),
      countries: z.array(countryCode),
    }),
    /** The Content-Security-Policy header of every response. */
    contentSecurityPolicy: nonEmpty,
    /** Names in the domain's zone the app answers to; '' is the apex. Needs `domain`. */
    recordNames: z.array(
      z.string().regex(/^([a-z0-9-]+(\.[a-z0-9-]+)*)?$/, { error: 'must be a DNS label or empty (apex)' }),
    ),
    waf: z.strictObject({
      /** Requests per client IP per 5 minutes before the IP is blocked. */
      rateLimitPerFiveMinutes: z.number().int().min(10).max(2_000_000_000),
      /** AWS's anonymous IP list (VPNs, Tor, hosting providers). */
      anonymousIpList: z.boolean(),
      /** AWS Bot Control (common level; paid per request). */
      botControl: z.boolean(),
      /** Countries whose requests are blocked. */
      blockedCountries: z.array(countryCode),
    }),
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
});

/** The shape before the cross-field rules below; they receive it as parsed so far (see `whenParsed`). */
type ParsedConfig = z.output<typeof environmentShape>;
type RefinementContext = z.RefinementCtx<ParsedConfig>;
type Path = ReadonlyArray<string | number>;

/** In a path a refinement reads: any index of an array. */
const ANY_INDEX = '*';

/**
 * Options of a refinement that reads `paths`: it runs unless the shape rejected one of them for its
 * type, or something at, above or below them (a missing section, a wrong-typed field).
 *
 * zod skips every refinement after any such error, so a wrong type in one field hid the problems of
 * every section. Issues that leave the value's type intact (`continue: true`: a failed pattern or
 * range, another refinement's issue) do not stop a refinement: zod runs it after them too.
 */
function whenParsed(...paths: Path[]): z.core.$ZodSuperRefineParams {
  const overlaps = (issuePath: readonly PropertyKey[], path: Path) =>
    issuePath.every((segment, index) => index >= path.length || path[index] === ANY_INDEX || path[index] === segment);
  return {
    when: (payload) =>
      !payload.issues.some(
        (issue) => issue.continue !== true && paths.some((path) => overlaps(issue.path ?? [], path)),
      ),
  };
}

/**
 * A number a rule table reads, in a refinement that runs although the number's own field may have
 * failed to parse: a value of the wrong type becomes NaN. Every comparison with NaN is false, so rules
 * about other fields stay silent, and the field's own problem is dropped by `report`, the shape having
 * reported it.
 */
function parsedNumber(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}

/**
 * Reports the problems of a shared rule function under `prefix` (the section's path). A field that
 * already has an issue (the shape rejected it, or another rule reported it) is not reported twice.
 */
function report(ctx: RefinementContext, prefix: Path, problems: readonly Problem[]): void {
  const rejected = new Set(ctx.issues.map((issue) => JSON.stringify(issue.path ?? [])));
  for (const problem of problems) {
    const path = [...prefix, ...problem.path];
    if (!rejected.has(JSON.stringify(path))) {
      ctx.addIssue({ code: 'custom', path, message: problem.message });
    }
  }
}

/**
 * Identifier prefix of named resources: `<Project tag>-<name>`, e.g. `learning-assistant-prod`. It
 * becomes the database's identifier prefix and the cache's replication group id, so the schema checks
 * it with their rules and reports their problems at `tags.Project`.
 */
export function resourcePrefixOf(config: Pick<EnvironmentConfig, 'name' | 'tags'>): string {
  return `${config.tags.Project}-${config.name}`;
}

/** Where a problem of an identifier derived from the Project tag is reported: the tag, the one fix. */
const PROJECT_TAG = ['tags', 'Project'] as const;

/**
 * Reports a rule function's problems under `prefix`, except those of `field`, an identifier the
 * config does not set but derives from the Project tag (`resourcePrefixOf`): they go to the tag.
 */
function reportWithDerivedIdentifier(
  ctx: RefinementContext,
  prefix: Path,
  problems: readonly Problem[],
  field: string,
  identifier: string,
): void {
  const derived = (problem: Problem) => problem.path[0] === field;
  report(
    ctx,
    prefix,
    problems.filter((problem) => !derived(problem)),
  );
  report(
    ctx,
    PROJECT_TAG,
    problems.filter(derived).map((problem) => ({
      path: [],
      message: `the ${identifier} is derived from it (<Project>-<environment>): ${problem.message}; change the Project tag to fit`,
    })),
  );
}

function availabilityZoneRules(config: ParsedConfig, ctx: RefinementContext): void {
  const azCount = config.availabilityZones.length;
  config.availabilityZones.forEach((az, index) => {
    // The region may itself be malformed (reported on its own): compare text, never build a pattern from it.
    const letter = az.slice(config.region.length);
    if (!az.startsWith(config.region) || !/^[a-z]$/.test(letter)) {
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
}

function drRegionRules(config: ParsedConfig, ctx: RefinementContext): void {
  if (config.drRegion === config.region) {
    ctx.addIssue({
      code: 'custom',
      path: ['drRegion'],
      message: `must differ from region (${config.region}): a disaster-recovery copy in the same region does not survive a regional outage`,
    });
  }
}

function networkRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { network } = config;
  const problems = networkProblems({
    vpcCidr: network.vpcCidr,
    availabilityZones: config.availabilityZones,
    tiers: network.subnets,
    natGateways: network.natGateways,
  });
  // The rules name tiers at their root; in config they sit under network.subnets, and the zones at the root.
  report(
    ctx,
    [],
    problems.map(({ path, message }) => ({
      path:
        path[0] === 'availabilityZones'
          ? path
          : ['network', ...(path[0] === 'vpcCidr' || path[0] === 'natGateways' ? path : ['subnets', ...path])],
      message,
    })),
  );
}

function databaseRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { database } = config;
  reportWithDerivedIdentifier(
    ctx,
    ['database'],
    postgresDatabaseProblems({
      identifierPrefix: resourcePrefixOf(config),
      availabilityZoneCount: config.availabilityZones.length,
      multiAz: database.multiAz,
      readReplicas: database.readReplicas,
      allocatedStorageGiB: database.allocatedStorageGiB,
      maxAllocatedStorageGiB: database.maxAllocatedStorageGiB,
      backupRetentionDays: database.backupRetentionDays,
      monitoringIntervalSeconds: database.monitoringIntervalSeconds,
    }),
    'identifierPrefix',
    'database identifier prefix',
  );
}

function cacheRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { cache } = config;
  const versions: readonly string[] = CACHE_ENGINE_VERSIONS[cache.engine];
  if (!versions.includes(cache.engineVersion)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cache', 'engineVersion'],
      message: `"${cache.engineVersion}" is not a ${cache.engine} version this project supports; use one of ${versions.join(', ')}`,
    });
  }
  reportWithDerivedIdentifier(
    ctx,
    ['cache'],
    cacheClusterProblems({
      replicationGroupId: resourcePrefixOf(config),
      clusterMode: cache.clusterMode,
      shards: cache.shards,
      replicasPerShard: cache.replicasPerShard,
      multiAz: cache.multiAz,
      snapshotRetentionDays: cache.snapshotRetentionDays,
    }),
    'replicationGroupId',
    'cache replication group id',
  );
}

function storageRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { storage } = config;
  const problems = secureBucketProblems({
    noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
    transitionToInfrequentAccessDays: storage.logTransitionDays,
    expirationDays: storage.logExpirationDays,
  });
  // The rules name the bucket's props; the config names the access-log bucket's lifecycle.
  const configFields: Readonly<Record<string, string>> = {
    transitionToInfrequentAccessDays: 'logTransitionDays',
    expirationDays: 'logExpirationDays',
  };
  report(
    ctx,
    ['storage'],
    problems.map(({ path: [field = '', ...rest], message }) => ({
      path: [configFields[field] ?? field, ...rest],
      message,
    })),
  );
}

function computeRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { compute } = config;
  // Runs when only numbers failed to parse (see `whenParsed` below): those arrive as NaN.
  const problems = webServiceProblems({
    cpuUnits: parsedNumber(compute.cpuUnits),
    memoryMiB: parsedNumber(compute.memoryMiB),
    minTasks: parsedNumber(compute.minTasks),
    maxTasks: parsedNumber(compute.maxTasks),
    spotPercent: parsedNumber(compute.spotPercent),
    deploymentStrategy: DEPLOYMENT_STRATEGIES[compute.deployment.strategy],
    trafficShiftPercent: parsedNumber(compute.deployment.stepPercent),
    scheduledCapacity: compute.scheduledScaling.map((scheduled) => ({
      name: scheduled.name,
      schedule: scheduled.schedule,
      minTasks: parsedNumber(scheduled.minTasks),
      maxTasks: scheduled.maxTasks === undefined ? undefined : parsedNumber(scheduled.maxTasks),
    })),
  });
  // The rules name the construct's props; config files some of them elsewhere.
  const configPaths: Readonly<Record<string, ReadonlyArray<string>>> = {
    trafficShiftPercent: ['deployment', 'stepPercent'],
    scheduledCapacity: ['scheduledScaling'],
  };
  report(
    ctx,
    ['compute'],
    problems.map(({ path: [field = '', ...rest], message }) => ({
      path: [...(configPaths[field] ?? [field]), ...rest],
      message,
    })),
  );
}

function edgeRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { edge } = config;
  if ((edge.geoRestriction.type === 'none') !== (edge.geoRestriction.countries.length === 0)) {
    ctx.addIssue({
      code: 'custom',
      path: ['edge', 'geoRestriction', 'countries'],
      message: `a ${edge.geoRestriction.type} restriction ${edge.geoRestriction.type === 'none' ? 'takes no countries' : 'needs at least one country'}`,
    });
  }
  if (config.domain === undefined && edge.recordNames.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['edge', 'recordNames'],
      message: 'record names need a domain; add one or leave recordNames empty',
    });
  }
  if (config.domain !== undefined && edge.recordNames.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['edge', 'recordNames'],
      message: `the domain ${config.domain.zoneName} needs at least one record name ('' for the apex)`,
    });
  }
}

/** The fields identifiers are derived from (`resourcePrefixOf`). */
const IDENTIFIER_SOURCES: Path[] = [['name'], PROJECT_TAG];

/**
 * The shape of one environment's configuration, with the rules that span fields: one refinement
 * per section, each reporting every problem it finds. Each runs when what it reads parsed, so a
 * wrong type in one section does not hide the problems of another.
 */
export const environmentConfigSchema = environmentShape
  .superRefine(availabilityZoneRules, whenParsed(['availabilityZones'], ['region']))
  .superRefine(drRegionRules, whenParsed(['drRegion'], ['region']))
  .superRefine(networkRules, whenParsed(['network'], ['availabilityZones']))
  .superRefine(databaseRules, whenParsed(['database'], ['availabilityZones'], ...IDENTIFIER_SOURCES))
  .superRefine(cacheRules, whenParsed(['cache'], ...IDENTIFIER_SOURCES))
  .superRefine(storageRules, whenParsed(['storage']))
  // Compute's rules read many independent numbers: a wrong type in one of them (passed as NaN) must
  // not hide the problems of the others, so only what is not a number must have parsed.
  .superRefine(
    computeRules,
    whenParsed(
      ['compute', 'deployment', 'strategy'],
      ['compute', 'scheduledScaling', ANY_INDEX, 'name'],
      ['compute', 'scheduledScaling', ANY_INDEX, 'schedule'],
    ),
  )
  .superRefine(edgeRules, whenParsed(['edge'], ['domain']));

/** A validated environment configuration. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** What a config file declares, before validation. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
