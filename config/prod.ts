import type { EnvironmentConfigInput } from './schema';
import { APP_CONTENT_SECURITY_POLICY, GITHUB_REPOSITORY } from './shared';

/** Production: redundant across three AZs and protected. Subnets follow the reference layout. */
export const prod: EnvironmentConfigInput = {
  name: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  drRegion: 'eu-central-1',
  removalPolicy: 'retain',
  network: {
    vpcCidr: '10.0.0.0/16',
    subnets: {
      public: ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'],
      application: ['10.0.11.0/24', '10.0.12.0/24', '10.0.13.0/24'],
      database: ['10.0.21.0/24', '10.0.22.0/24', '10.0.23.0/24'],
    },
    natGateways: 3,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm', 'ssmmessages', 'kms', 'sts', 'xray'],
    flowLogRetentionDays: 365,
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 'r7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 1000,
    multiAz: true,
    readReplicas: 2,
    backupRetentionDays: 35,
    performanceInsights: true,
    monitoringIntervalSeconds: 60,
    credentialRotationDays: 30,
    deletionProtection: true,
    slowStatementThresholdMs: 500,
  },
  cache: {
    engine: 'redis',
    engineVersion: '7.1',
    nodeType: 'cache.r7g.large',
    clusterMode: false,
    shards: 1,
    replicasPerShard: 2,
    multiAz: true,
    snapshotRetentionDays: 15,
  },
  storage: {
    noncurrentVersionExpirationDays: 90,
    logTransitionDays: 30,
    logExpirationDays: 730,
  },
  domain: {
    zoneName: 'learning-assistant.example.com',
    hostedZoneId: 'Z0PROD0EXAMPLE0ZONE0ID',
  },
  compute: {
    image: { source: 'ecr', tag: '0.1.0' },
    repositoryMaxImages: 50,
    cpuUnits: 1024,
    memoryMiB: 2048,
    minTasks: 3,
    maxTasks: 12,
    spotPercent: 0,
    cpuTargetPercent: 60,
    memoryTargetPercent: 70,
    requestsPerTaskPerMinute: 1000,
    scheduledScaling: [
      { name: 'BusinessHours', schedule: 'cron(0 7 ? * MON-FRI *)', timeZone: 'Europe/Berlin', minTasks: 4 },
      { name: 'OffHours', schedule: 'cron(0 20 ? * MON-FRI *)', timeZone: 'Europe/Berlin', minTasks: 3 },
    ],
    predictiveScaling: true,
    deployment: {
      strategy: 'canary',
      stepPercent: 10,
      stepIntervalMinutes: 5,
      bakeTimeMinutes: 15,
      rollback5xxPercent: 2,
      rollbackLatencyP95Ms: 1500,
    },
    tracing: true,
    externalApiAccess: false,
    deletionProtection: true,
  },
  edge: {
    priceClass: 'PriceClass_All',
    originShieldRegion: 'eu-west-1',
    geoRestriction: { type: 'none', countries: [] },
    contentSecurityPolicy: APP_CONTENT_SECURITY_POLICY,
    recordNames: ['', 'www'],
    waf: {
      rateLimitPerFiveMinutes: 2000,
      anonymousIpList: true,
      botControl: true,
      blockedCountries: [],
    },
  },
  monitoring: {
    // Set yours: the monthly spend that alerts (Budgets and Cost Anomaly Detection).
    monthlyBudgetUsd: 2000,
    paging: true,
    // Set yours: who is paged for prod (each address must confirm its subscription). An AWS Chatbot
    // Slack channel can be added with slack: { workspaceId, channelId }.
    emails: ['oncall@example.com'],
    cloudFrontAdditionalMetrics: true,
    syntheticCheck: { enabled: true },
    thresholds: {
      web5xxPercent: 2,
      p99LatencyMs: 1500,
      dbConnections: 400,
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
    continuousRetentionDays: 35,
    vaultLock: { minRetentionDays: 1, maxRetentionDays: 400, changeableForDays: 3 },
    // After the loss of eu-west-1 the daily copy alone would lose up to a day: the standby keeps
    // the RPO at seconds and the RTO at a promotion (docs/disaster-recovery.md).
    standby: {
      availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
      vpcCidr: '10.100.0.0/16',
      subnets: {
        public: ['10.100.1.0/24', '10.100.2.0/24', '10.100.3.0/24'],
        application: ['10.100.11.0/24', '10.100.12.0/24', '10.100.13.0/24'],
        database: ['10.100.21.0/24', '10.100.22.0/24', '10.100.23.0/24'],
      },
    },
  },
  ci: {
    repository: GITHUB_REPOSITORY,
    // No pull-request role here: anyone who can push a branch could read the account.
    pullRequestDiff: false,
  },
  logRetentionDays: 365,
  tags: {
    Project: 'learning-assistant',
    Environment: 'prod',
    Owner: 'platform-team',
    CostCenter: 'learning-assistant-prod',
  },
};
