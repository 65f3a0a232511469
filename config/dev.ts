import type { EnvironmentConfigInput } from './schema';
import { APP_CONTENT_SECURITY_POLICY, GITHUB_REPOSITORY } from './shared';

/** Development: minimal and cheap. One NAT gateway, no interface endpoints, short retention, freely destroyed. */
export const dev: EnvironmentConfigInput = {
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  drRegion: 'eu-central-1',
  removalPolicy: 'destroy',
  network: {
    vpcCidr: '10.10.0.0/16',
    subnets: {
      public: ['10.10.1.0/24', '10.10.2.0/24', '10.10.3.0/24'],
      application: ['10.10.11.0/24', '10.10.12.0/24', '10.10.13.0/24'],
      database: ['10.10.21.0/24', '10.10.22.0/24', '10.10.23.0/24'],
    },
    natGateways: 1,
    interfaceEndpoints: [],
    flowLogRetentionDays: 14,
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 't4g.micro',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    readReplicas: 0,
    backupRetentionDays: 7,
    performanceInsights: false,
    monitoringIntervalSeconds: 0,
    credentialRotationDays: 30,
    deletionProtection: false,
    slowStatementThresholdMs: 1000,
  },
  cache: {
    engine: 'redis',
    engineVersion: '7.1',
    nodeType: 'cache.t4g.micro',
    clusterMode: false,
    shards: 1,
    replicasPerShard: 0,
    multiAz: false,
    snapshotRetentionDays: 1,
  },
  storage: {
    noncurrentVersionExpirationDays: 7,
    logTransitionDays: 30,
    logExpirationDays: 90,
  },
  compute: {
    image: { source: 'asset' },
    repositoryMaxImages: 10,
    cpuUnits: 256,
    memoryMiB: 512,
    minTasks: 1,
    maxTasks: 2,
    spotPercent: 100,
    cpuTargetPercent: 70,
    memoryTargetPercent: 75,
    requestsPerTaskPerMinute: 1000,
    scheduledScaling: [],
    predictiveScaling: false,
    deployment: {
      strategy: 'rolling',
      stepPercent: 10,
      stepIntervalMinutes: 5,
      bakeTimeMinutes: 5,
      rollback5xxPercent: 10,
      rollbackLatencyP95Ms: 3000,
    },
    tracing: false,
    externalApiAccess: false,
    deletionProtection: false,
  },
  edge: {
    priceClass: 'PriceClass_100',
    geoRestriction: { type: 'none', countries: [] },
    contentSecurityPolicy: APP_CONTENT_SECURITY_POLICY,
    recordNames: [],
    waf: {
      rateLimitPerFiveMinutes: 2000,
      anonymousIpList: false,
      botControl: false,
      blockedCountries: [],
    },
  },
  monitoring: {
    // Set yours: the monthly spend that alerts (Budgets and Cost Anomaly Detection).
    monthlyBudgetUsd: 50,
    // Dev records alarm states but notifies nobody: no subscriptions, no alarm actions.
    paging: false,
    emails: [],
    // No monitoring subscription: origin latency is not worth paying for in dev.
    cloudFrontAdditionalMetrics: false,
    // No canary in dev: nobody is paged, and each run is billed.
    syntheticCheck: { enabled: false },
    thresholds: {},
  },
  security: {
    // Set yours: the role(s) of this account that administer the environment's KMS keys. Each must
    // exist before the first deployment, or KMS rejects the key policy.
    keyAdministrators: ['role/KeyAdministrator'],
  },
  backup: {
    // Dev keeps only the database's automated backups: nothing to recover that staging cannot rebuild.
    enabled: false,
  },
  ci: {
    repository: GITHUB_REPOSITORY,
    // Pull requests may diff against the deployed stacks (read-only role); not against prod.
    pullRequestDiff: true,
  },
  logRetentionDays: 14,
  tags: {
    Project: 'learning-assistant',
    Environment: 'dev',
    Owner: 'platform-team',
    CostCenter: 'learning-assistant-dev',
  },
};
