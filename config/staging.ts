import type { EnvironmentConfigInput } from './schema';
import { APP_CONTENT_SECURITY_POLICY, GITHUB_REPOSITORY } from './shared';

/** Staging: production-like, so that what passes here behaves the same in prod. */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  drRegion: 'eu-central-1',
  removalPolicy: 'retain',
  network: {
    vpcCidr: '10.20.0.0/16',
    subnets: {
      public: ['10.20.1.0/24', '10.20.2.0/24', '10.20.3.0/24'],
      application: ['10.20.11.0/24', '10.20.12.0/24', '10.20.13.0/24'],
      database: ['10.20.21.0/24', '10.20.22.0/24', '10.20.23.0/24'],
    },
    natGateways: 3,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm', 'ssmmessages', 'kms', 'sts', 'xray'],
    flowLogRetentionDays: 365,
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 't4g.medium',
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    readReplicas: 1,
    backupRetentionDays: 7,
    performanceInsights: true,
    monitoringIntervalSeconds: 60,
    credentialRotationDays: 30,
    deletionProtection: true,
    slowStatementThresholdMs: 500,
  },
  cache: {
    engine: 'redis',
    engineVersion: '7.1',
    nodeType: 'cache.t4g.small',
    clusterMode: false,
    shards: 1,
    replicasPerShard: 1,
    multiAz: true,
    snapshotRetentionDays: 15,
  },
  storage: {
    noncurrentVersionExpirationDays: 30,
    logTransitionDays: 30,
    logExpirationDays: 365,
  },
  domain: {
    zoneName: 'staging.learning-assistant.example.com',
    hostedZoneId: 'Z0STAGING0EXAMPLE0ZONE',
  },
  compute: {
    image: { source: 'ecr', tag: '0.1.0' },
    repositoryMaxImages: 30,
    cpuUnits: 512,
    memoryMiB: 1024,
    minTasks: 2,
    maxTasks: 4,
    spotPercent: 0,
    cpuTargetPercent: 60,
    memoryTargetPercent: 70,
    requestsPerTaskPerMinute: 1000,
    scheduledScaling: [],
    predictiveScaling: false,
    deployment: {
      strategy: 'blue-green',
      stepPercent: 10,
      stepIntervalMinutes: 5,
      bakeTimeMinutes: 10,
      rollback5xxPercent: 5,
      rollbackLatencyP95Ms: 2000,
    },
    tracing: true,
    externalApiAccess: false,
    deletionProtection: true,
  },
  edge: {
    priceClass: 'PriceClass_100',
    geoRestriction: { type: 'none', countries: [] },
    contentSecurityPolicy: APP_CONTENT_SECURITY_POLICY,
    recordNames: ['', 'www'],
    waf: {
      rateLimitPerFiveMinutes: 2000,
      anonymousIpList: true,
      botControl: false,
      blockedCountries: [],
    },
  },
  monitoring: {
    // Set yours: the monthly spend that alerts (Budgets and Cost Anomaly Detection).
    monthlyBudgetUsd: 400,
    paging: true,
    // Set yours: who receives staging's alarms (each address must confirm its subscription).
    emails: ['oncall@example.com'],
    cloudFrontAdditionalMetrics: true,
    syntheticCheck: { enabled: true },
    thresholds: {
      // Staging runs little traffic: a few failed requests are already a large share.
      web5xxPercent: 10,
      p99LatencyMs: 3000,
    },
  },
  security: {
    // Set yours: the role(s) of this account that administer the environment's KMS keys. Each must
    // exist before the first deployment, or KMS rejects the key policy.
    keyAdministrators: ['role/KeyAdministrator'],
  },
  backup: {
    enabled: true,
    // AWS Backup takes over the instance's retention: the two must agree (database.backupRetentionDays).
    continuousRetentionDays: 7,
  },
  ci: {
    repository: GITHUB_REPOSITORY,
    // Pull requests may diff against the deployed stacks (read-only role); not against prod.
    pullRequestDiff: true,
  },
  logRetentionDays: 365,
  tags: {
    Project: 'learning-assistant',
    Environment: 'staging',
    Owner: 'platform-team',
    CostCenter: 'learning-assistant-staging',
  },
};
