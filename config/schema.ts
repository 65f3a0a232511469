import { z } from 'zod';
import { WebDeploymentStrategy, webServiceProblems } from '../constructs/compute/web-service-rules';
import { cacheClusterProblems } from '../constructs/data/cache-rules';
import { postgresDatabaseProblems } from '../constructs/data/postgres-rules';
import { backupPlanProblems, backupVaultProblems } from '../constructs/backup/backup-rules';
import { secureBucketProblems } from '../constructs/data/secure-bucket-rules';
import { githubDeployRoleProblems } from '../constructs/ci/ci-rules';
import { networkProblems, vpcCidrsOverlap } from '../constructs/network/network-rules';
import { syntheticCheckProblems } from '../constructs/observability/synthetic-check-rules';
import type { Problem } from '../constructs/shared/problems';
import { originFacingPrefixListOf, regionOfOriginFacingPrefixList } from './aws/cloudfront';
import { countryCodeProblem } from './aws/countries';
import {
  CACHE_ENGINE_VERSIONS_OFFERED,
  CACHE_MAX_SHARDS,
  CACHE_NODE_TYPES,
  supportedCacheVersions,
} from './aws/elasticache';
import { LOG_RETENTION_DAYS } from './aws/logs';
import {
  ALL_POSTGRES_INSTANCE_CLASSES,
  ALL_POSTGRES_VERSIONS,
  POSTGRES_GP3_STORAGE_GIB,
  POSTGRES_INSTANCE_CLASSES,
  POSTGRES_VERSIONS,
} from './aws/rds';
import { REGIONS, availabilityZonesOf, isKnownRegion, regionOfZone, zonesPerAccount } from './aws/regions';
import { scheduleProblem } from './aws/schedules';
import { TIME_ZONES, isTimeZone } from './aws/time-zones';
import { SUBNET_PREFIX_RANGE } from './aws/vpc';
import { closest, didYouMean } from './suggest';

export { LOG_RETENTION_DAYS } from './aws/logs';

/**
 * An environment's name: lowercase letters and digits, starting with a letter. It becomes the stage
 * ID (`qa` -> `Qa`), part of resource names (`<Project>-<name>`) and of override variables
 * (`LA_<NAME>_ACCOUNT`), so it has to fit all three.
 */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/** Record names the project itself uses in an environment's zone, so the config cannot take them. */
export const RESERVED_RECORD_NAMES: Readonly<Record<string, string>> = {
  origin: "the load balancer's certificate name (origin.<zone>), which CloudFront connects to",
};

/** Interface endpoints the network layer knows how to create. */
export const INTERFACE_ENDPOINTS = [
  'ecr.api',
  'ecr.dkr',
  'logs',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'kms',
  'sts',
  'xray',
] as const;
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINTS)[number];

/** Deployment strategies by their config name, as the web service takes them. */
export const DEPLOYMENT_STRATEGIES = {
  rolling: WebDeploymentStrategy.ROLLING,
  'blue-green': WebDeploymentStrategy.BLUE_GREEN,
  canary: WebDeploymentStrategy.CANARY,
  linear: WebDeploymentStrategy.LINEAR,
} as const;
export type DeploymentStrategyName = keyof typeof DEPLOYMENT_STRATEGIES;

const region = z.string().refine(isKnownRegion, {
  error: (issue) =>
    `"${String(issue.input)}" is not a commercial AWS region${didYouMean(String(issue.input), REGIONS)} (known regions: config/aws/regions.ts)`,
});

/** CIDRs are checked as a whole layout (format, containment, overlap) in the refinement below. */
const cidr = z.string();

const retentionDays = z.number().refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
  error: (issue) =>
    `${String(issue.input)} is not a CloudWatch Logs retention period; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
});

/**
 * An IAM role or user of the environment's account: `role/<path/name>` (the account follows `account`,
 * overrides included) or a full ARN. Group 1 is the ARN's account.
 */
const IAM_ROLE_OR_USER = /^(?:arn:aws(?:-[a-z]+)*:iam::(\d{12}):)?(?:role|user)\/[\w+=,.@/-]+$/;

const positiveCount = z.number().int({ error: 'must be a whole number' }).positive({ error: 'must be at least 1' });

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const countryCode = z.string().superRefine((code, ctx) => {
  const problem = countryCodeProblem(code);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', input: code, message: problem });
  }
});

/** A list whose entries must be distinct: a repeated one would collide as a construct ID or be refused. */
function distinct<T extends z.ZodType>(item: T, what: string) {
  return z.array(item).superRefine((values, ctx) => {
    values.forEach((value, index) => {
      if (values.indexOf(value) !== index) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          path: [index],
          message: `${JSON.stringify(value)} is listed twice; ${what} must be distinct`,
        });
      }
    });
  });
}

/** One subnet CIDR per availability zone, in the order of `availabilityZones`. */
const subnetTier = z.array(cidr);

/** Whole numbers of at least 1, as the construct's rules check them (paths in their descriptions). */
const scheduledTasks = z.number();

/**
 * The shape of one environment's configuration. Every field carries its description: the
 * configuration reference (docs/configuration.md, `npm run docs:config`) is generated from them.
 * Ranges that constructs enforce too live in their rule tables (`constructs/<layer>/*-rules.ts`);
 * facts about AWS (regions, zones, versions, classes) in `config/aws/`.
 */
export const environmentShape = z.strictObject({
  name: z
    .string()
    .regex(ENVIRONMENT_NAME_PATTERN, {
      error: 'must be lowercase letters and digits, starting with a letter, at most 16 characters (e.g. qa)',
    })
    .describe(
      'Environment name, the key of the environment in `config/index.ts`. Also the stage (`qa` -> stage `Qa`, `cdk deploy "Qa/*"`), the `-c env=<name>` selector, part of resource names and of override variables (`LA_<NAME>_...`).',
    ),
  account: z
    .string()
    .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' })
    .describe(
      '12-digit AWS account ID the environment deploys to. Override: `-c <env>:account=...` or `LA_<ENV>_ACCOUNT`.',
    ),
  region: region.describe(
    'Home region of the environment (a commercial region of `config/aws/regions.ts`). Override: `-c <env>:region=...` or `LA_<ENV>_REGION`; move `availabilityZones` with it.',
  ),
  // A refinement, not .length(3): zod aborts on a length mismatch, which would hide every other problem.
  availabilityZones: z
    .array(nonEmpty)
    .refine((zones) => zones.length === 3, { error: 'exactly three availability zones are required' })
    .describe(
      "Exactly three distinct availability zones of `region`, named explicitly so synthesis needs no lookup (e.g. `eu-west-1a`). Checked against the region's zones in `config/aws/regions.ts`. Override: `-c <env>:availabilityZones=a,b,c` or `LA_<ENV>_AVAILABILITY_ZONES`.",
    ),
  drRegion: region.describe(
    'Region that receives backup copies for disaster recovery; must differ from `region`. Override: `-c <env>:drRegion=...` or `LA_<ENV>_DR_REGION`.',
  ),
  removalPolicy: z
    .enum(['destroy', 'retain'])
    .describe(
      'What happens to stateful resources (keys, log groups, databases, buckets) when their stack is deleted. `retain` also turns on stack termination protection.',
    ),
  network: z
    .strictObject({
      vpcCidr: cidr.describe("The VPC's IPv4 block, /16 to /28; disjoint from every other environment's VPC."),
      subnets: z
        .strictObject({
          public: subnetTier.describe(
            'Internet-facing tier (NAT gateways): one IPv4 CIDR per availability zone, in the order of `availabilityZones`, inside `vpcCidr`, /16 to /28.',
          ),
          application: subnetTier.describe(
            'Private tier with NAT egress (ECS tasks, internal load balancer, interface endpoints): one CIDR per availability zone.',
          ),
          database: subnetTier.describe(
            'Isolated tier without any route to the internet (databases and caches): one CIDR per availability zone.',
          ),
        })
        .describe('Per-tier subnet CIDRs; no two subnets may overlap.'),
      natGateways: z
        .number()
        .describe('NAT gateways, 1 to one per AZ (`networkProblems`); 1 is cheap but a single-AZ dependency.'),
      interfaceEndpoints: distinct(z.enum(INTERFACE_ENDPOINTS), 'interface endpoints').describe(
        'Interface endpoints to create in the application tier, keeping AWS API calls off NAT; each admits only principals of `account` (endpoint policy). The web tasks need `ecr.api`, `ecr.dkr`, `logs`, `secretsmanager`, `ssmmessages` (ECS Exec) and, with `compute.tracing`, `xray`: with all of them (and an S3 prefix list known for `region`, `config/aws/vpc.ts`) the security group of the tasks opens HTTPS to nothing else unless `compute.externalApiAccess` says so; without them (dev: cheap) their AWS calls go through NAT, with 443 open to the internet.',
      ),
      flowLogRetentionDays: retentionDays.describe(
        'Retention of VPC flow logs, in days (a CloudWatch Logs retention period).',
      ),
    })
    .describe('The three-tier VPC.'),
  database: z
    .strictObject({
      engineVersion: z
        .string()
        .superRefine((version, ctx) => {
          if (!ALL_POSTGRES_VERSIONS.includes(version)) {
            const major = version.split('.')[0] ?? '';
            const versions = POSTGRES_VERSIONS[major];
            ctx.addIssue({
              code: 'custom',
              input: version,
              message:
                versions === undefined
                  ? `"${version}" is not a full PostgreSQL ${Object.keys(POSTGRES_VERSIONS).join(', ')} version RDS offers, e.g. 17.6 (a bare major is deprecated by CloudFormation)`
                  : `"${version}" is not a PostgreSQL ${major} version RDS offers; use one of ${versions.join(', ')}`,
            });
          }
        })
        .describe(
          'Full PostgreSQL version RDS offers, e.g. `17.6` (majors 16 to 18; list in `config/aws/rds.ts`). A bare major is deprecated by CloudFormation.',
        ),
      instanceClass: z
        .string()
        .superRefine((instanceClass, ctx) => {
          if (!ALL_POSTGRES_INSTANCE_CLASSES.includes(instanceClass)) {
            const family = instanceClass.replace(/^db\./, '').split('.')[0] ?? '';
            const sizes = POSTGRES_INSTANCE_CLASSES[family];
            ctx.addIssue({
              code: 'custom',
              input: instanceClass,
              message: instanceClass.startsWith('db.')
                ? `"${instanceClass}": leave out the db. prefix (${instanceClass.slice(3)})`
                : sizes === undefined
                  ? `"${instanceClass}" is not a Graviton instance class RDS for PostgreSQL offers (families ${Object.keys(POSTGRES_INSTANCE_CLASSES).join(', ')}; e.g. t4g.micro, r7g.large)`
                  : `"${instanceClass}" does not exist; ${family} comes in ${sizes.join(', ')}`,
            });
          }
        })
        .describe(
          'Graviton DB instance class RDS for PostgreSQL offers, without the `db.` prefix, e.g. `r7g.large` (list in `config/aws/rds.ts`).',
        ),
      allocatedStorageGiB: z
        .number()
        .int()
        .min(POSTGRES_GP3_STORAGE_GIB.min, { error: `gp3 needs at least ${POSTGRES_GP3_STORAGE_GIB.min} GiB` })
        .max(POSTGRES_GP3_STORAGE_GIB.max, { error: `gp3 takes at most ${POSTGRES_GP3_STORAGE_GIB.max} GiB (64 TiB)` })
        .describe(`Initial gp3 storage, in GiB: ${POSTGRES_GP3_STORAGE_GIB.min} to ${POSTGRES_GP3_STORAGE_GIB.max}.`),
      maxAllocatedStorageGiB: positiveCount
        .max(POSTGRES_GP3_STORAGE_GIB.max, { error: `gp3 takes at most ${POSTGRES_GP3_STORAGE_GIB.max} GiB (64 TiB)` })
        .describe(
          `Ceiling of storage autoscaling, in GiB: above \`allocatedStorageGiB\`, at most ${POSTGRES_GP3_STORAGE_GIB.max}.`,
        ),
      multiAz: z.boolean().describe('A synchronous standby in another AZ. Read replicas need it.'),
      readReplicas: z
        .number()
        .describe(
          'Read replicas, one per availability zone after the first (so at most 2 with three zones; range: `postgresDatabaseProblems`).',
        ),
      backupRetentionDays: z
        .number()
        .describe(
          'Automated backups (and point-in-time recovery window), in days: 1 to 35 (`postgresDatabaseProblems`).',
        ),
      performanceInsights: z.boolean().describe('Performance Insights, encrypted with the database key.'),
      monitoringIntervalSeconds: z
        .number()
        .describe(
          'Enhanced monitoring interval, in seconds: 0 (off), 1, 5, 10, 15, 30 or 60 (`postgresDatabaseProblems`).',
        ),
      credentialRotationDays: z
        .number()
        .int()
        .min(1)
        .max(365)
        .describe('Days between automatic rotations of the database credentials, 1 to 365.'),
      deletionProtection: z
        .boolean()
        .describe('Refuse to delete the instance (and keep a final snapshot when its stack goes).'),
      slowStatementThresholdMs: positiveCount.describe('Statements slower than this are logged, in milliseconds.'),
    })
    .describe('PostgreSQL on RDS: a primary, optional read replicas, pooling through RDS Proxy.'),
  cache: z
    .strictObject({
      engine: z.enum(['redis', 'valkey']).describe('`redis` (Redis OSS) or `valkey`.'),
      engineVersion: z
        .string()
        .describe(
          `Engine version ElastiCache offers for \`engine\`, at least Redis OSS ${supportedCacheVersions('redis')[0]} or Valkey ${supportedCacheVersions('valkey')[0]}: Redis OSS ${supportedCacheVersions('redis').join(', ')}; Valkey ${supportedCacheVersions('valkey').join(', ')}.`,
        ),
      nodeType: z
        .string()
        .superRefine((nodeType, ctx) => {
          if (!CACHE_NODE_TYPES.includes(nodeType)) {
            const family = nodeType.split('.').slice(0, 2).join('.');
            const sizes = CACHE_NODE_TYPES.filter((type) => type.startsWith(`${family}.`)).map(
              (type) => type.split('.')[2],
            );
            ctx.addIssue({
              code: 'custom',
              input: nodeType,
              message:
                sizes.length > 0
                  ? `"${nodeType}" does not exist; ${family} comes in ${sizes.join(', ')}`
                  : `"${nodeType}" is not a Graviton node type ElastiCache offers${didYouMean(nodeType, CACHE_NODE_TYPES)} (e.g. cache.t4g.small, cache.r7g.large; list in config/aws/elasticache.ts)`,
            });
          }
        })
        .describe('Graviton node type, e.g. `cache.t4g.micro` (list in `config/aws/elasticache.ts`).'),
      clusterMode: z.boolean().describe('Cluster mode: data sharded over `shards` node groups.'),
      shards: z
        .number()
        .max(CACHE_MAX_SHARDS, { error: `ElastiCache allows at most ${CACHE_MAX_SHARDS} shards` })
        .describe(`Node groups, 1 to ${CACHE_MAX_SHARDS}; more than 1 needs cluster mode (\`cacheClusterProblems\`).`),
      replicasPerShard: z.number().describe('Replicas per shard, 0 to 5 (`cacheClusterProblems`).'),
      multiAz: z.boolean().describe('Automatic failover to a replica in another AZ; needs a replica per shard.'),
      snapshotRetentionDays: z
        .number()
        .describe('Daily snapshots kept, in days; 0 turns them off, at most 35 (`cacheClusterProblems`).'),
    })
    .describe('ElastiCache replication group (Redis OSS or Valkey).'),
  storage: z
    .strictObject({
      noncurrentVersionExpirationDays: z
        .number()
        .describe(
          'Days a replaced or deleted object version is kept before it expires, 1 or more (`secureBucketProblems`).',
        ),
      logTransitionDays: z
        .number()
        .describe('Days after which access logs move to Standard-IA, at least 30 (`secureBucketProblems`).'),
      logExpirationDays: z
        .number()
        .describe('Days after which access logs expire, after `logTransitionDays` (`secureBucketProblems`).'),
    })
    .describe('S3 buckets for user uploads and for access logs.'),
  domain: z
    .strictObject({
      zoneName: z
        .string()
        .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { error: 'must be a lowercase DNS name' })
        .describe('Zone name, e.g. `learning-assistant.example.com`.'),
      hostedZoneId: z
        .string()
        .regex(/^Z[A-Z0-9]{6,31}$/, { error: 'must be a Route53 hosted zone id (Z...)' })
        .describe('Route 53 hosted zone ID of `zoneName`, e.g. `Z0123456789ABCDEFGHIJ` (no lookups at synth time).'),
    })
    .optional()
    .describe(
      "Public DNS: the Route 53 zone the environment serves under. Without it the environment serves on CloudFront's domain and the load balancer speaks HTTP inside the VPC.",
    ),
  compute: z
    .strictObject({
      image: z
        .discriminatedUnion('source', [
          z.strictObject({ source: z.literal('asset').describe('Built from `app/` at deploy time.') }),
          z.strictObject({
            source: z.literal('ecr').describe("A tag of the environment's ECR repository."),
            tag: z
              .string()
              .regex(/^[\w][\w.-]{0,127}$/, { error: 'must be a Docker tag' })
              .describe('Image tag; CI overrides it with `-c imageTag=...`.'),
          }),
        ])
        .describe(
          "Where the image comes from: `{ source: 'asset' }` (built from `app/` at deploy time) or `{ source: 'ecr', tag }` (a tag of the environment's ECR repository).",
        ),
      repositoryMaxImages: positiveCount.describe('Images kept in the repository; older ones expire.'),
      cpuUnits: z
        .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])
        .describe('Task CPU in Fargate units (1024 = 1 vCPU): 256, 512, 1024, 2048 or 4096.'),
      memoryMiB: positiveCount.describe('Task memory, in MiB; must be a size Fargate pairs with `cpuUnits`.'),
      minTasks: z.number().describe('Lower bound of the task count: 1 <= minTasks <= maxTasks (`webServiceProblems`).'),
      maxTasks: z.number().describe('Upper bound of the task count (`webServiceProblems`).'),
      spotPercent: z
        .number()
        .describe('Share of tasks on Fargate Spot, 0 to 100 (100: all Spot; `webServiceProblems`).'),
      cpuTargetPercent: z.number().int().min(10).max(90).describe('Target CPU utilization, in percent (10 to 90).'),
      memoryTargetPercent: z
        .number()
        .int()
        .min(10)
        .max(90)
        .describe('Target memory utilization, in percent (10 to 90).'),
      requestsPerTaskPerMinute: positiveCount.describe('Target load-balancer requests per task per minute.'),
      scheduledScaling: z
        .array(
          z.strictObject({
            name: z
              .string()
              .regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'must be PascalCase, e.g. BusinessHours' })
              .describe('PascalCase name of the scheduled action, unique within the environment.'),
            schedule: z
              .string()
              .describe(
                'When it applies, as Application Auto Scaling parses it: `cron(minutes hours day-of-month month day-of-week year)` with `?` in one of the day fields, `rate(5 minutes)` or `at(yyyy-mm-ddThh:mm:ss)`.',
              ),
            timeZone: z
              .string()
              .superRefine((zone, ctx) => {
                if (!isTimeZone(zone)) {
                  const suggestion = closest(zone, TIME_ZONES);
                  ctx.addIssue({
                    code: 'custom',
                    input: zone,
                    message: `"${zone}" is not an IANA time zone${suggestion ? `; did you mean "${suggestion}"?` : ' (e.g. Europe/Berlin, UTC)'}`,
                  });
                }
              })
              .describe('IANA time zone the schedule is read in, e.g. `Europe/Berlin` or `UTC`.'),
            minTasks: scheduledTasks.describe(
              'Lower bound from then on, a whole number of at least 1 (`webServiceProblems`).',
            ),
            maxTasks: scheduledTasks
              .optional()
              .describe("Upper bound from then on; the service's `maxTasks` when left out."),
          }),
        )
        .describe('Scheduled changes of the task-count bounds.'),
      predictiveScaling: z.boolean().describe('Predictive scaling on CPU.'),
      deployment: z
        .strictObject({
          strategy: z
            .enum(Object.keys(DEPLOYMENT_STRATEGIES) as [DeploymentStrategyName, ...DeploymentStrategyName[]])
            .describe('How new revisions replace old ones: `rolling`, `blue-green`, `canary` or `linear`.'),
          stepPercent: z
            .number()
            .describe('Traffic moved per step, in percent (canary and linear): 0.1 to 100, at least 3 for linear.'),
          stepIntervalMinutes: z
            .number()
            .int()
            .min(0)
            .max(1440)
            .describe('Minutes between steps (canary and linear), 0 to 1440.'),
          bakeTimeMinutes: z
            .number()
            .int()
            .min(0)
            .max(1440)
            .describe('Minutes the new revision serves all traffic before the old one goes, 0 to 1440.'),
          rollback5xxPercent: z
            .number()
            .min(0.1)
            .max(100)
            .describe('Roll back when more than this percentage of answers are 5xx (0.1 to 100).'),
          rollbackLatencyP95Ms: positiveCount.describe('Roll back when p95 latency exceeds this, in milliseconds.'),
        })
        .describe('How new revisions replace old ones.'),
      tracing: z.boolean().describe('OpenTelemetry collector sidecar sending traces to X-Ray.'),
      traceSamplePercent: z
        .number()
        .min(0)
        .max(100)
        .default(5)
        .describe(
          'With `tracing`: percentage of requests traced beyond the first each second (X-Ray sampling rules, fetched by the tracer through the sidecar; `/api/health` is never traced).',
        ),
      externalApiAccess: z
        .boolean()
        .describe(
          'The application calls APIs outside AWS (payment, e-mail, LLM providers...): its tasks may open HTTPS (443) to any internet address, through NAT. Leave it `false` otherwise: where the network has the interface endpoints the tasks need (`network.interfaceEndpoints`), they then reach only those endpoints and S3 (gateway prefix list). Environments without those endpoints keep 443 to the internet regardless, since their AWS API calls go through NAT.',
        ),
      deletionProtection: z.boolean().describe('Refuse deletion of the load balancer.'),
    })
    .describe('The Next.js application on ECS Fargate.'),
  edge: z
    .strictObject({
      originFacingPrefixListId: z
        .string()
        .regex(/^pl-[0-9a-f]{8,17}$/, { error: 'must be a prefix list id (pl-...)' })
        .optional()
        .describe(
          'ID of the managed prefix list `com.amazonaws.global.cloudfront.origin-facing` in `region`, which the load balancer admits. Leave it out: it follows `region` from `config/aws/cloudfront.ts`. Set it only for a region that table lacks (`aws ec2 describe-managed-prefix-lists --region <region>`). Override: `-c <env>:cloudFrontPrefixList=...` or `LA_<ENV>_CLOUDFRONT_PREFIX_LIST`.',
        ),
      priceClass: z
        .enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'])
        .describe('CloudFront price class: which edge locations serve the app.'),
      originShieldRegion: region
        .optional()
        .describe("Region of Origin Shield, usually the app's region; leave out for none."),
      geoRestriction: z
        .strictObject({
          type: z
            .enum(['none', 'allowlist', 'denylist'])
            .describe('`none`, or whether `countries` are the only ones served (`allowlist`) or refused (`denylist`).'),
          countries: distinct(countryCode, 'countries').describe(
            'ISO 3166-1 alpha-2 country codes (e.g. `DE`, `GB`); empty exactly when `type` is `none`.',
          ),
        })
        .describe('CloudFront geo restriction.'),
      contentSecurityPolicy: nonEmpty.describe('The Content-Security-Policy header of every response.'),
      recordNames: distinct(
        z.string().regex(/^([a-z0-9-]+(\.[a-z0-9-]+)*)?$/, { error: 'must be a DNS label or empty (apex)' }),
        'record names',
      ).describe(
        "Names in the domain's zone the app answers to; `''` is the apex, `www` is `www.<zone>`. Needs `domain`; distinct; not `origin` (the load balancer's name).",
      ),
      waf: z
        .strictObject({
          rateLimitPerFiveMinutes: z
            .number()
            .int()
            .min(10)
            .max(2_000_000_000)
            .describe('Requests per client IP per 5 minutes before the IP is blocked (10 to 2,000,000,000).'),
          anonymousIpList: z.boolean().describe("AWS's anonymous IP list (VPNs, Tor, hosting providers)."),
          botControl: z.boolean().describe('AWS Bot Control (common level; paid per request).'),
          blockedCountries: distinct(countryCode, 'blocked countries').describe(
            'ISO 3166-1 alpha-2 codes of countries whose requests are blocked.',
          ),
        })
        .describe('The web ACL in front of the distribution.'),
    })
    .describe('The CDN and web application firewall in front of the app (their stack lives in us-east-1).'),
  monitoring: z
    .strictObject({
      paging: z
        .boolean()
        .describe(
          'Whether alarms act: `true` subscribes `emails` (and `slack`) to the alarm topics and gives every alarm alarm and OK actions; `false` (dev) records alarm states in CloudWatch but notifies nobody (no subscriptions, no actions).',
        ),
      emails: distinct(
        z.email({ error: 'must be an e-mail address, e.g. oncall@example.com' }),
        'e-mail addresses',
      ).describe(
        'Addresses subscribed to both alarm topics (the paging one and the notifications one) where `paging` is on; each must confirm the subscription AWS mails it. Ignored where `paging` is off.',
      ),
      slack: z
        .strictObject({
          workspaceId: z
            .string()
            .regex(/^[0-9A-Z]{1,255}$/, { error: 'must be the Slack workspace ID, e.g. T0123456789' })
            .describe(
              'Slack workspace (team) ID, e.g. `T0123456789`; the workspace must first be authorized in the AWS Chatbot console of `account`.',
            ),
          channelId: z
            .string()
            .regex(/^[A-Za-z0-9]{1,255}$/, { error: 'must be the Slack channel ID, e.g. C0123456789' })
            .describe('Slack channel ID, e.g. `C0123456789` (private channels must invite the AWS bot).'),
        })
        .optional()
        .describe(
          'An AWS Chatbot Slack channel that receives both alarm topics where `paging` is on. Without it, e-mail only.',
        ),
      monthlyBudgetUsd: z
        .number()
        .positive()
        .describe(
          "The environment's monthly cost budget in USD (an AWS Budget on the `Environment` cost allocation tag, which must be activated in Billing): alerts at 80 % and 100 % of actual and 100 % of forecast spend, to the notification topic; a Cost Anomaly Detection monitor on the same tag alerts on anomalies of 20 USD or more.",
        ),
      cloudFrontAdditionalMetrics: z
        .boolean()
        .default(true)
        .describe(
          'CloudFront additional metrics (a monitoring subscription, billed per distribution): needed for the origin latency alarm, which exists only with them.',
        ),
      thresholds: z
        .strictObject({
          web5xxPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(5)
            .describe('Alarm when more than this percentage of the answers of the tasks are 5xx, over 5 minutes.'),
          p99LatencyMs: positiveCount
            .default(2000)
            .describe('Alarm when the p99 target response time exceeds this, in milliseconds.'),
          webCpuPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(85)
            .describe("Alarm when the service's average CPU utilization exceeds this, in percent."),
          webMemoryPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(85)
            .describe("Alarm when the service's average memory utilization exceeds this, in percent."),
          dbCpuPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(80)
            .describe("Alarm when the database primary's CPU utilization exceeds this, in percent."),
          dbFreeableMemoryMiB: positiveCount
            .default(128)
            .describe("Alarm when the database primary's freeable memory falls below this, in MiB."),
          dbFreeStorageGiB: positiveCount
            .default(5)
            .describe("Alarm when the database primary's free storage falls below this, in GiB."),
          dbConnections: positiveCount
            .default(200)
            .describe('Alarm when the database primary has more connections than this.'),
          replicaLagSeconds: positiveCount
            .default(60)
            .describe('Alarm when a read replica lags more than this, in seconds (only with read replicas).'),
          proxyConnectionErrors: positiveCount
            .default(5)
            .describe('Alarm when RDS Proxy fails to set up more than this many database connections in 5 minutes.'),
          cacheCpuPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(90)
            .describe("Alarm when a cache node's host CPU utilization exceeds this, in percent."),
          cacheEngineCpuPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(90)
            .describe("Alarm when a cache node's engine (main thread) CPU utilization exceeds this, in percent."),
          cacheMemoryPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(80)
            .describe('Alarm when a cache node uses more than this percentage of its memory for data.'),
          cacheEvictions: z
            .number()
            .int()
            .nonnegative()
            .default(100)
            .describe('Alarm when the cache evicts more than this many keys in 5 minutes.'),
          cacheReplicationLagSeconds: positiveCount
            .default(30)
            .describe('Alarm when a cache replica lags more than this, in seconds (only with replicas).'),
          cloudFront5xxPercent: z
            .number()
            .gt(0)
            .max(100)
            .default(5)
            .describe('Alarm when more than this percentage of CloudFront viewer answers are 5xx, over 5 minutes.'),
          originLatencyMs: positiveCount
            .default(3000)
            .describe(
              "Alarm when CloudFront's average origin latency exceeds this, in milliseconds (with `cloudFrontAdditionalMetrics`).",
            ),
          wafBlockedPerFiveMinutes: positiveCount
            .default(1000)
            .describe(
              'Alarm when the web ACL blocks more than this many requests in 5 minutes (an attack, or a rule misfiring).',
            ),
          appErrors: positiveCount
            .default(10)
            .describe(
              'Alarm when the application logs more than this many errors (JSON lines with `level` `error`) in 5 minutes.',
            ),
          anomalyStandardDeviations: z
            .number()
            .gt(0)
            .max(10)
            .default(3)
            .describe(
              'Width of the expected band of the request count and latency anomaly alarms, in standard deviations.',
            ),
        })
        .prefault({})
        .describe('Alarm thresholds; each has a default.'),
      slo: z
        .strictObject({
          availabilityPercent: z
            .number()
            .gt(0)
            .lt(100)
            .default(99.9)
            .describe(
              'Availability objective: percentage of requests answered without a 5xx (by the tasks or the load balancer), over 30 days.',
            ),
          latencyThresholdMs: positiveCount
            .default(1000)
            .describe('Latency objective: requests answered within this many milliseconds count as fast.'),
          latencyPercent: z
            .number()
            .gt(0)
            .lt(100)
            .default(99)
            .describe('Latency objective: percentage of requests that must be fast, over 30 days.'),
          minimumRequestsPerHour: positiveCount
            .default(100)
            .describe(
              'Requests per hour a burn-rate window needs to be judged, scaled to the window (100 an hour: 9 in the 5-minute window); a quieter window counts as within objective, so one failure at night does not page, but an outage at that traffic does not either.',
            ),
        })
        .prefault({})
        .describe(
          'Service level objectives on the load balancer (alarm-based): a fast burn of the error budget (14.4 times over 1 h and 5 min) pages through the service-degraded alarm, a slow burn (6 times over 6 h and 30 min) notifies.',
        ),
      syntheticCheck: z
        .strictObject({
          enabled: z
            .boolean()
            .describe(
              'A CloudWatch Synthetics canary loading the public URL and `/api/health` from outside; its failure pages through the service-degraded alarm.',
            ),
          rateMinutes: z
            .int()
            .min(1)
            .max(60)
            .default(5)
            .describe('Minutes between two runs of the canary (1 to 60; each run is billed).'),
        })
        .describe('Outside-in check of the public site.'),
    })
    .superRefine((monitoring, ctx) => {
      // Paging nobody would deploy alarms with actions that reach no one: silent, but looking loud.
      if (monitoring.paging && monitoring.emails.length === 0 && monitoring.slack === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['emails'],
          input: monitoring.emails,
          message:
            'paging is on but nobody is subscribed: list at least one address (or set slack), or turn paging off',
        });
      }
    })
    .describe(
      'Alarms and who they reach. Two topics per region with alarms: the composite "service degraded" alarm pages (topic `<prefix>-paging`), component alarms notify (`<prefix>-notifications`).',
    ),
  /** Default retention of application and audit log groups, in days. */
  backup: z
    .strictObject({
      enabled: z
        .boolean()
        .describe(
          "AWS Backup for the database and the uploads bucket (a plan selecting resources by tag, copies to a vault in `drRegion`), cross-region replication of the uploads bucket and a restore testing plan. Off in dev: it keeps only the database's own automated backups.",
        ),
      continuousRetentionDays: z
        .int()
        .min(1)
        .max(35)
        .default(14)
        .describe(
          "Days of continuous backup (point-in-time recovery to any second: RPO of minutes) for RDS and S3, 1 to 35 (AWS Backup's limit).",
        ),
      hourlyRetentionDays: positiveCount
        .optional()
        .describe(
          "Days an hourly snapshot is kept; none by default: continuous backup already gives RDS and S3 an RPO of minutes, and hourly RDS snapshots count against the region's quota of 100 manual snapshots, at which every backup job fails.",
        ),
      dailyRetentionDays: positiveCount.default(35).describe('Days a daily recovery point is kept.'),
      weeklyRetentionDays: positiveCount.default(90).describe('Days a weekly recovery point is kept.'),
      monthlyRetentionDays: positiveCount.default(365).describe('Days a monthly recovery point is kept.'),
      copyRetentionDays: positiveCount.default(35).describe('Days the daily copy in the `drRegion` vault is kept.'),
      vaultLock: z
        .strictObject({
          minRetentionDays: positiveCount.describe('Shortest retention a recovery point in the vault may have.'),
          maxRetentionDays: positiveCount.describe('Longest retention a recovery point in the vault may have.'),
          changeableForDays: z
            .int()
            .min(3)
            .describe(
              'Days the lock can still be removed after the first deploy (at least 3); after that it is in compliance mode: nobody, not even the root user, can delete recovery points early or the vault with points in it.',
            ),
        })
        .optional()
        .describe('Vault Lock of both vaults (prod). Without it the vaults have no lock, only an access policy.'),
      restoreTesting: z
        .boolean()
        .default(true)
        .describe(
          'An AWS Backup restore testing plan that restores the latest database recovery point weekly and validates it.',
        ),
      standby: z
        .strictObject({
          availabilityZones: z
            .array(nonEmpty)
            .refine((zones) => zones.length === 3, { error: 'exactly three availability zones are required' })
            .describe('Three distinct availability zones of `drRegion`, for the standby network.'),
          vpcCidr: cidr.describe(
            "The standby network's IPv4 block, /16 to /28; disjoint from `network.vpcCidr` (so the two can be peered).",
          ),
          subnets: z
            .strictObject({
              public: subnetTier.describe('Internet-facing tier (one NAT gateway): one CIDR per availability zone.'),
              application: subnetTier.describe(
                'Private tier with NAT egress, empty until a failover deploys compute there: one CIDR per zone.',
              ),
              database: subnetTier.describe('Isolated tier of the standby replica: one CIDR per availability zone.'),
            })
            .describe('Per-tier subnet CIDRs of the standby network; no two subnets may overlap.'),
          instanceClass: z
            .string()
            .optional()
            .describe(
              'Instance class of the standby, e.g. `r7g.large`; default `database.instanceClass` (a promoted standby takes the whole load).',
            ),
          lagThresholdSeconds: positiveCount
            .default(900)
            .describe(
              'Replica lag above which the standby alarms (and publishing no lag alarms too), in seconds: the RPO after the loss of the home region.',
            ),
        })
        .optional()
        .describe(
          'A cross-region read replica of the database in `drRegion` (a standby: RPO of seconds and an RTO of minutes after the loss of the home region, by promoting it), in a network of its own with one NAT gateway and its own key. Off when absent. Needs `enabled`.',
        ),
    })
    .describe('Backup and disaster recovery: RPO 1 h, RTO 4 h (see docs/disaster-recovery.md).'),
  ci: z
    .strictObject({
      repository: z
        .string()
        .describe(
          "The GitHub repository whose workflows deploy, `owner/name` (`githubDeployRoleProblems`): the deploy role trusts only this repository's jobs that name this environment. Environments sharing an account must agree.",
        ),
      pullRequestDiff: z
        .boolean()
        .default(false)
        .describe(
          "A read-only role (the lookup bootstrap role only) pull requests' jobs may assume for `cdk diff` against the deployed stacks. Anyone who can push a branch can use it: off for prod.",
        ),
      maxSessionHours: z
        .int()
        .min(1)
        .max(12)
        .default(1)
        .describe('Longest session of the deploy role, in hours (deployments longer than an hour need more).'),
      existingOidcProviderArn: z
        .string()
        .regex(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
          error: "must be the ARN of the account's token.actions.githubusercontent.com OIDC provider",
        })
        .optional()
        .describe(
          "The account's existing GitHub Actions OIDC provider, when one exists (an account holds one per issuer: creating a second fails). Default: the CI stack creates it.",
        ),
    })
    .describe(
      "GitHub Actions deployment (`docs/ci.md`): the `Ci-<account>` stack, deployed once per account by hand, holds the OIDC provider and this environment's deploy role.",
    ),
  logRetentionDays: retentionDays.describe(
    'Default retention of application and audit log groups, in days (a CloudWatch Logs retention period).',
  ),
  /** Cost-allocation tags applied to every resource (plus `ManagedBy`). */
  tags: z
    .strictObject({
      Project: nonEmpty.describe(
        'Project name; also the prefix of resource names (`<Project>-<environment>`), so it must suit RDS and ElastiCache identifiers.',
      ),
      Environment: nonEmpty.describe('Environment tag value.'),
      Owner: nonEmpty.describe('Team that owns the environment.'),
      CostCenter: nonEmpty.describe('Cost center billed.'),
    })
    .describe('Cost-allocation tags applied to every resource (plus `ManagedBy: aws-cdk`).'),
  security: z
    .strictObject({
      keyAdministrators: z
        .array(
          z.string().regex(IAM_ROLE_OR_USER, {
            error:
              'must be an IAM role or user of the environment account: role/<name> (or user/<name>), or its full ARN',
          }),
        )
        .describe(
          "IAM roles (or users) of the environment's account that administer its KMS keys: change their policies, disable them, schedule their deletion; no data access. `role/<path/name>` (in `account`, so an account override moves it too) or a full ARN in `account`. Each must exist before the keys are deployed (KMS rejects a policy naming an unknown principal). Besides them only CloudFormation's deployment role administers the keys, and the account's root user may only recover them.",
        ),
    })
    .optional()
    .describe(
      'Who administers the KMS keys. Without it, nobody but the deployment role does (and the root user, to recover a key).',
    ),
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
  // An unknown region is reported at `region`; its zones cannot be checked against it.
  if (!isKnownRegion(config.region)) {
    return;
  }
  const zones = availabilityZonesOf(config.region);
  config.availabilityZones.forEach((az, index) => {
    if (!zones.includes(az)) {
      const home = regionOfZone(az);
      ctx.addIssue({
        code: 'custom',
        path: ['availabilityZones', index],
        message: `"${az}" is not an availability zone of region ${config.region}${home ? ` (it is in ${home})` : ''}; ${config.region} has ${zones.join(', ')}`,
      });
    }
  });
  if (new Set(config.availabilityZones).size !== azCount) {
    ctx.addIssue({ code: 'custom', path: ['availabilityZones'], message: 'availability zones must be distinct' });
  }
  if (zonesPerAccount(config.region) < azCount) {
    ctx.addIssue({
      code: 'custom',
      path: ['region'],
      message: `${config.region} offers ${zonesPerAccount(config.region)} availability zones per account; this project needs ${azCount}`,
    });
  }
}

/** The standby's zones are `drRegion`'s, its network is a valid layout disjoint from the home VPC. */
function standbyRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { standby } = config.backup;
  if (standby === undefined) return;
  if (!config.backup.enabled) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'standby'],
      message: 'a standby replica needs backup.enabled: it lives in the disaster-recovery stack',
    });
  }
  if (isKnownRegion(config.drRegion)) {
    const zones = availabilityZonesOf(config.drRegion);
    standby.availabilityZones.forEach((az, index) => {
      if (!zones.includes(az)) {
        const home = regionOfZone(az);
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'standby', 'availabilityZones', index],
          message: `"${az}" is not an availability zone of drRegion ${config.drRegion}${home ? ` (it is in ${home})` : ''}; ${config.drRegion} has ${zones.join(', ')}`,
        });
      }
    });
  }
  if (new Set(standby.availabilityZones).size !== standby.availabilityZones.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'standby', 'availabilityZones'],
      message: 'availability zones must be distinct',
    });
  }
  const problems = networkProblems({
    vpcCidr: standby.vpcCidr,
    availabilityZones: standby.availabilityZones,
    tiers: standby.subnets,
    natGateways: STANDBY_NAT_GATEWAYS,
  });
  report(
    ctx,
    ['backup', 'standby'],
    problems.map(({ path, message }) => ({
      path: path[0] === 'vpcCidr' || path[0] === 'availabilityZones' ? path : ['subnets', ...path],
      message,
    })),
  );
  if (vpcCidrsOverlap(config.network.vpcCidr, standby.vpcCidr)) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'standby', 'vpcCidr'],
      message: `"${standby.vpcCidr}" overlaps network.vpcCidr (${config.network.vpcCidr}): the two networks could never be peered`,
    });
  }
}

/** The deploy role's rule table (`githubDeployRoleProblems`), at config load, on this environment's role. */
function ciRules(config: ParsedConfig, ctx: RefinementContext): void {
  const problems = githubDeployRoleProblems({
    repository: config.ci.repository,
    environments: [config.name],
    branches: [],
    pullRequests: false,
    regions: [config.region],
    bootstrapRoles: ['deploy', 'file-publishing', 'image-publishing', 'lookup'],
    qualifier: 'hnb659fds',
    maxSessionHours: config.ci.maxSessionHours,
  });
  report(
    ctx,
    ['ci'],
    problems.filter((problem) => problem.path[0] === 'repository' || problem.path[0] === 'maxSessionHours'),
  );
}

/** NAT gateways of the standby network: its application tier is empty until a failover. */
export const STANDBY_NAT_GATEWAYS = 1;

function drRegionRules(config: ParsedConfig, ctx: RefinementContext): void {
  if (config.drRegion === config.region) {
    ctx.addIssue({
      code: 'custom',
      path: ['drRegion'],
      message: `must differ from region (${config.region}): a disaster-recovery copy in the same region does not survive a regional outage`,
    });
  }
}

/** Keys are administered from within their own account, never by another account's role. */
function securityRules(config: ParsedConfig, ctx: RefinementContext): void {
  (config.security?.keyAdministrators ?? []).forEach((arn, index) => {
    const account = IAM_ROLE_OR_USER.exec(arn)?.[1];
    if (account !== undefined && account !== config.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['security', 'keyAdministrators', index],
        message: `"${arn}" is in account ${account}, not the environment's account ${config.account}`,
      });
    }
  });
}

/** Subnet sizes AWS accepts (`config/aws/vpc.ts`); the layout rules check format, containment and overlap. */
function subnetSizeRules(config: ParsedConfig, ctx: RefinementContext): void {
  for (const [tier, cidrs] of Object.entries(config.network.subnets)) {
    cidrs.forEach((cidr, index) => {
      const prefix = /^[\d.]+\/(\d{1,2})$/.exec(cidr)?.[1];
      if (
        prefix !== undefined &&
        (Number(prefix) < SUBNET_PREFIX_RANGE.min || Number(prefix) > SUBNET_PREFIX_RANGE.max)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['network', 'subnets', tier, index],
          message: `"${cidr}": a /${prefix} subnet is outside the /${SUBNET_PREFIX_RANGE.min} to /${SUBNET_PREFIX_RANGE.max} range AWS accepts`,
        });
      }
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
  const offered: readonly string[] = CACHE_ENGINE_VERSIONS_OFFERED[cache.engine];
  const supported = supportedCacheVersions(cache.engine);
  if (!supported.includes(cache.engineVersion)) {
    const engine = cache.engine === 'redis' ? 'Redis OSS' : 'Valkey';
    const other = cache.engine === 'redis' ? 'valkey' : 'redis';
    const hint = (CACHE_ENGINE_VERSIONS_OFFERED[other] as readonly string[]).includes(cache.engineVersion)
      ? ` (${cache.engineVersion} is a ${other === 'redis' ? 'Redis OSS' : 'Valkey'} version: change engine too)`
      : '';
    ctx.addIssue({
      code: 'custom',
      path: ['cache', 'engineVersion'],
      message: offered.includes(cache.engineVersion)
        ? `"${cache.engineVersion}": ElastiCache still offers ${engine} ${cache.engineVersion}, but this project needs ${supported[0]} or later (IAM authentication of the application user); use one of ${supported.join(', ')}`
        : `"${cache.engineVersion}" is not a ${engine} version ElastiCache offers${hint}; use one of ${supported.join(', ')}`,
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
  const configFields: Readonly<Record<string, readonly string[]>> = {
    transitionToInfrequentAccessDays: ['logTransitionDays'],
    expirationDays: ['logExpirationDays'],
  };
  report(
    ctx,
    ['storage'],
    problems.map(({ path: [field = '', ...rest], message }) => ({
      path: [...(configFields[field] ?? [field]), ...rest],
      message,
    })),
  );
}

/**
 * Schedules parsed as Application Auto Scaling parses them (`config/aws/schedules.ts`), and action
 * names that must be unique: each becomes a construct ID and a scheduled action name. Runs before
 * `computeRules`, whose coarser schedule check then stays silent on the same field.
 */
const SCHEDULE_SHAPE = /^(cron|rate|at)\(.+\)$/;

function scheduleRules(config: ParsedConfig, ctx: RefinementContext): void {
  const scheduled = config.compute.scheduledScaling;
  scheduled.forEach((action, index) => {
    // What is not cron(...), rate(...) or at(...) at all is the rule table's to report, in its words.
    const problem = SCHEDULE_SHAPE.test(action.schedule) ? scheduleProblem(action.schedule) : undefined;
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['compute', 'scheduledScaling', index, 'schedule'],
        message: `${problem} (${action.name})`,
      });
    }
    const first = scheduled.findIndex((other) => other.name === action.name);
    if (first !== index) {
      ctx.addIssue({
        code: 'custom',
        path: ['compute', 'scheduledScaling', index, 'name'],
        message: `"${action.name}" is also the name of scheduledScaling[${first}]; scheduled actions need distinct names`,
      });
    }
  });
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
  recordNameRules(config, ctx);
  prefixListRules(config, ctx);
}

/**
 * The name of the environment's canary: the Project tag's initials, the environment and `site`
 * (`learning-assistant`, `prod` -> `la-prod-site`), since Synthetics keeps only 21 characters.
 */
export function canaryNameOf(config: Pick<EnvironmentConfig, 'name' | 'tags'>): string {
  const initials = config.tags.Project.split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toLowerCase())
    .join('');
  return `${initials}-${config.name}-site`;
}

/**
 * The User-Agent the environment's canary sends (`getCanaryUserAgentString`): the web ACL exempts
 * it from Bot Control, which would otherwise block it as a non-browser from a cloud address.
 */
export function canaryUserAgentOf(config: Pick<EnvironmentConfig, 'name' | 'tags' | 'region' | 'account'>): string {
  return `CloudWatchSynthetics/arn:aws:synthetics:${config.region}:${config.account}:canary:${canaryNameOf(config)}`;
}

/** The public host name of the site: the first record name of the domain; none without a domain. */
export function publicHostOf(config: Pick<EnvironmentConfig, 'domain' | 'edge'>): string | undefined {
  if (config.domain === undefined) return undefined;
  const record = config.edge.recordNames[0] ?? '';
  return record === '' ? config.domain.zoneName : `${record}.${config.domain.zoneName}`;
}

/** Names of the environment's vaults: fixed, so a vault is named across regions without a reference. */
export function vaultNamesOf(config: Pick<EnvironmentConfig, 'name' | 'tags'>): {
  readonly home: string;
  readonly copy: string;
} {
  const prefix = resourcePrefixOf(config);
  return { home: `${prefix}-backup`, copy: `${prefix}-dr` };
}

/** The tag a resource carries to be backed up by the environment's plan. */
export function backupSelectionTagOf(config: Pick<EnvironmentConfig, 'name' | 'tags'>): {
  readonly key: string;
  readonly value: string;
} {
  return { key: 'backup-plan', value: resourcePrefixOf(config) };
}

/** The construct's lock props, as `backup.vaultLock` names them. */
const VAULT_LOCK_FIELDS: Readonly<Record<string, string>> = {
  lockMinRetentionDays: 'minRetentionDays',
  lockMaxRetentionDays: 'maxRetentionDays',
  lockChangeableForDays: 'changeableForDays',
};

function backupRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { backup } = config;
  if (!backup.enabled) return;
  // Continuous backup makes AWS Backup the owner of the instance's retention: it sets it to its own.
  // A template with another value drifts, and changing it later fails ("specify it only with the
  // current value"), rolling the update back.
  if (config.database.backupRetentionDays !== backup.continuousRetentionDays) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'continuousRetentionDays'],
      message: `${backup.continuousRetentionDays} days differs from database.backupRetentionDays (${config.database.backupRetentionDays}): continuous backup sets the instance's retention to its own, so the template would drift and the next change of backupRetentionDays would fail; make them equal`,
    });
  }
  const prefix = resourcePrefixOf(config);
  const lock = backup.vaultLock;
  // The vaults' and the plan's own rule tables: the retention of every tier must fit the lock of
  // both vaults, or its jobs fail at run time, long after the deploy succeeded.
  // Both vaults share the lock; their names derive from the Project tag.
  const names = vaultNamesOf(config);
  const vaultProblems = [names.home, names.copy].flatMap((vaultName) =>
    backupVaultProblems({
      vaultName,
      lockMinRetentionDays: lock?.minRetentionDays,
      lockMaxRetentionDays: lock?.maxRetentionDays,
      lockChangeableForDays: lock?.changeableForDays,
      destroyedWithStack: config.removalPolicy === 'destroy',
    }),
  );
  // The same lock problem of the two vaults is one problem of the config.
  const distinct = vaultProblems.filter(
    (problem, index) =>
      vaultProblems.findIndex(
        (other) => other.message === problem.message && String(other.path) === String(problem.path),
      ) === index,
  );
  reportWithDerivedIdentifier(
    ctx,
    ['backup', 'vaultLock'],
    distinct.map((problem) => ({
      ...problem,
      path: problem.path.map((segment) =>
        typeof segment === 'string' ? (VAULT_LOCK_FIELDS[segment] ?? segment) : segment,
      ),
    })),
    'vaultName',
    'vault name',
  );
  const vaultLock = lock && { minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays };
  reportWithDerivedIdentifier(
    ctx,
    ['backup'],
    backupPlanProblems({
      planName: prefix,
      continuous: true,
      continuousRetentionDays: backup.continuousRetentionDays,
      hourlyRetentionDays: backup.hourlyRetentionDays,
      dailyRetentionDays: backup.dailyRetentionDays,
      weeklyRetentionDays: backup.weeklyRetentionDays,
      monthlyRetentionDays: backup.monthlyRetentionDays,
      // RecoveryPlan's defaults, which the data layer keeps.
      scheduleHourUtc: 3,
      startWindowMinutes: 60,
      completionWindowMinutes: 480,
      selectionTagKey: backupSelectionTagOf(config).key,
      selectionTagValue: backupSelectionTagOf(config).value,
      copying: true,
      copyFromTier: 'daily',
      copyRetentionDays: backup.copyRetentionDays,
      vaultLock,
      copyVaultLock: vaultLock,
    }),
    'planName',
    'backup plan name',
  );
}

function monitoringRules(config: ParsedConfig, ctx: RefinementContext): void {
  if (!config.monitoring.syntheticCheck.enabled) return;
  // The canary's rules are the construct's; only its name is derived here, from the Project tag.
  const problems = syntheticCheckProblems({
    canaryName: canaryNameOf(config),
    baseUrl: 'https://example.com',
    pagePaths: ['/'],
    apiPaths: [],
    scheduleRateMinutes: config.monitoring.syntheticCheck.rateMinutes,
    timeoutSeconds: 1,
    artifactsRetentionDays: 1,
    runtimeName: 'syn-nodejs-3.1',
  }).filter((problem) => problem.path[0] === 'canaryName');
  reportWithDerivedIdentifier(ctx, ['monitoring', 'syntheticCheck'], problems, 'canaryName', 'canary name');
}

/**
 * The construct ID the edge stack gives a record name's records: `www` -> `Www`, `my-app` and
 * `my.app` -> `MyApp`. Two names with one ID would collide in the construct tree.
 */
export function recordConstructIdOf(record: string): string {
  return record === ''
    ? 'Apex'
    : record
        .split(/[.-]/)
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');
}

function recordNameRules(config: ParsedConfig, ctx: RefinementContext): void {
  const { recordNames } = config.edge;
  recordNames.forEach((record, index) => {
    const reserved = RESERVED_RECORD_NAMES[record];
    if (reserved !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['edge', 'recordNames', index],
        message: `"${record}" is reserved: it is ${reserved}; choose another name`,
      });
    }
    const first = recordNames.findIndex((other) => recordConstructIdOf(other) === recordConstructIdOf(record));
    if (first !== index && recordNames[first] !== record) {
      ctx.addIssue({
        code: 'custom',
        path: ['edge', 'recordNames', index],
        message: `"${record}" and "${recordNames[first]}" (recordNames[${first}]) would share the construct ID ${recordConstructIdOf(record)}; rename one`,
      });
    }
  });
}

/**
 * The CloudFront origin-facing prefix list is region-bound: a configured ID must be the region's
 * (an ID of another region is what a region change leaves behind), and a region without a known ID
 * needs one set explicitly.
 */
function prefixListRules(config: ParsedConfig, ctx: RefinementContext): void {
  if (!isKnownRegion(config.region)) {
    return;
  }
  const configured = config.edge.originFacingPrefixListId;
  const expected = originFacingPrefixListOf(config.region);
  const path = ['edge', 'originFacingPrefixListId'];
  if (configured === undefined) {
    if (expected === undefined) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `no CloudFront origin-facing prefix list is known for region ${config.region}; set edge.originFacingPrefixListId (or -c <env>:cloudFrontPrefixList=...) to the ID that \`aws ec2 describe-managed-prefix-lists --region ${config.region} --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing\` prints, or add it to config/aws/cloudfront.ts`,
      });
    }
    return;
  }
  if (expected !== undefined && configured !== expected) {
    const home = regionOfOriginFacingPrefixList(configured);
    ctx.addIssue({
      code: 'custom',
      path,
      message: `"${configured}" is ${home ? `the ${home} prefix list` : 'not the origin-facing prefix list of this region'}, but region is ${config.region}, whose list is ${expected}; leave the field out to follow the region`,
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
  .superRefine(subnetSizeRules, whenParsed(['network', 'subnets']))
  .superRefine(networkRules, whenParsed(['network'], ['availabilityZones']))
  .superRefine(databaseRules, whenParsed(['database'], ['availabilityZones'], ...IDENTIFIER_SOURCES))
  .superRefine(cacheRules, whenParsed(['cache'], ...IDENTIFIER_SOURCES))
  .superRefine(storageRules, whenParsed(['storage']))
  .superRefine(scheduleRules, whenParsed(['compute', 'scheduledScaling']))
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
  .superRefine(edgeRules, whenParsed(['edge'], ['domain'], ['region']))
  .superRefine(monitoringRules, whenParsed(['monitoring', 'syntheticCheck'], ...IDENTIFIER_SOURCES))
  .superRefine(backupRules, whenParsed(['backup'], ['removalPolicy'], ['database'], ...IDENTIFIER_SOURCES))
  .superRefine(standbyRules, whenParsed(['backup'], ['drRegion'], ['network']))
  .superRefine(ciRules, whenParsed(['ci'], ['name'], ['region']))
  .superRefine(securityRules, whenParsed(['security'], ['account']))
  // The prefix list follows the region unless set (`prefixListRules` rejected a region without one).
  .transform((config) => ({
    ...config,
    edge: {
      ...config.edge,
      originFacingPrefixListId: config.edge.originFacingPrefixListId ?? originFacingPrefixListOf(config.region) ?? '',
    },
  }));

/** A validated environment configuration. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** What a config file declares, before validation. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
