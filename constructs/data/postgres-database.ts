import { ArnFormat, CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { DatabaseBootstrap } from './database-bootstrap';
import { ignoreLintChecks } from '../shared/lint';
import { ValidationError } from '../shared/errors';
import { grantSecretRead } from '../shared/grants';
import { sameAccountServicePrincipal } from '../shared/principals';
import { throwOnProblems } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';
import { acrossMembers } from './metrics';
import { postgresDatabaseProblems, postgresInstanceIdentifiers } from './postgres-rules';

/**
 * PostgreSQL as the layers above see it: endpoints, credentials, access and metrics, whatever the
 * instances behind them (modelled on `rds.IDatabaseInstance`).
 */
export interface IPostgresDatabase extends IConstruct, ec2.IConnectable {
  /**
   * Host name for reads and writes (RDS Proxy). Clients connect as {@link writerUser} with an IAM
   * authentication token signed for this host name.
   */
  readonly writerEndpoint: string;
  /**
   * Host name for reads only; may lag behind the writer. A private DNS name (CNAME): clients resolve
   * it and connect to, and sign the IAM token for, the RDS host name it points to, never this name.
   */
  readonly readerEndpoint: string;
  /** TCP port of both endpoints. */
  readonly port: number;
  /** Name of the application database. */
  readonly databaseName: string;
  /** Database user the application writes as (IAM authentication through the proxy). */
  readonly writerUser: string;
  /** Database user the application reads as (IAM authentication on the reader endpoint's targets). */
  readonly readerUser: string;
  /**
   * Master credentials (`username`, `password`, `host`, `port`, `dbname`), rotated. For
   * administrators and the deploy-time bootstrap that creates the application users only: never
   * give them to the application.
   */
  readonly masterCredentials: secretsmanager.ISecret;

  /** Lets `peer` reach both endpoints on the PostgreSQL port. */
  allowFrom(peer: ec2.IConnectable, description?: string): void;

  /**
   * Lets `grantee` connect through the writer endpoint as {@link writerUser} with an IAM
   * authentication token (`rds-db:connect` on that one proxy user).
   */
  grantConnectAsWriter(grantee: iam.IGrantable): iam.Grant;

  /**
   * Lets `grantee` connect to every target of the reader endpoint as {@link readerUser} with an IAM
   * authentication token (`rds-db:connect` on that user of each replica and of the proxy).
   */
  grantConnectAsReader(grantee: iam.IGrantable): iam.Grant;

  /**
   * The percentage of CPU utilization of the primary.
   *
   * @default - average over 5 minutes
   */
  metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The amount of available random access memory of the primary, in bytes.
   *
   * @default - average over 5 minutes
   */
  metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The amount of available storage space of the primary, in bytes.
   *
   * @default - average over 5 minutes
   */
  metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The number of database connections in use on the primary (the proxy's pool and direct ones).
   *
   * @default - average over 5 minutes
   */
  metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * How far the read replicas lag behind the primary, in seconds: the largest lag of any replica.
   * Throws when there are no read replicas (only replicas publish `ReplicaLag`).
   *
   * @default - maximum over 5 minutes
   */
  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The current number of client connections to the proxy (the writer endpoint).
   *
   * @default - sum over 1 minute
   */
  metricProxyClientConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The number of connections the proxy failed to open to the database: the primary is down or
   * unreachable, or refuses the proxy's IAM login. Clients then cannot connect at all.
   *
   * @default - sum over 5 minutes
   */
  metricProxyDatabaseConnectionsSetupFailed(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The number of client connections the proxy refused for failed authentication or TLS.
   *
   * @default - sum over 5 minutes
   */
  metricProxyClientConnectionsSetupFailedAuth(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** Properties of a {@link PostgresDatabase}. */
export interface PostgresDatabaseProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /** Subnets of the instances and the proxy: the isolated tier. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * Subnets of the master credential's rotation function. It calls the Secrets Manager API, so it needs
   * either egress or a Secrets Manager interface endpoint.
   *
   * @default - `subnets`
   */
  readonly rotationSubnets?: ec2.SubnetSelection;

  /**
   * Availability zones of the instances: a single-AZ primary goes in the first, replica N in
   * entry N. A Multi-AZ primary cannot be pinned (RDS picks the AZs of primary and standby, and a
   * failover swaps them), so it may share an AZ with a replica.
   */
  readonly availabilityZones: string[];

  /** Engine version, e.g. `rds.PostgresEngineVersion.VER_17_6`. */
  readonly engineVersion: rds.PostgresEngineVersion;

  /** Instance type of the primary and replicas; Graviton classes are cheapest per performance. */
  readonly instanceType: ec2.InstanceType;

  /**
   * Prefix of the instance and proxy identifiers, e.g. `shop-prod`. The identifiers
   * name the exported log groups, which this construct creates (encrypted, with retention).
   */
  readonly identifierPrefix: string;

  /**
   * Encrypts storage, snapshots, Performance Insights and the master credentials secret.
   *
   * The construct adds nothing to the key policy, so the policy must let principals of this account
   * use the key through RDS and Secrets Manager: `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`,
   * `kms:GenerateDataKey*`, `kms:DescribeKey` and `kms:CreateGrant` (RDS keeps grants on the key for
   * the instances), under `kms:ViaService` `rds.<region>.amazonaws.com` and
   * `secretsmanager.<region>.amazonaws.com`. RDS (storage, snapshots, Performance Insights),
   * CloudFormation resolving the password, the rotation function and administrators given
   * {@link PostgresDatabase.grantReadMasterCredentials} all use the key through these two services; their identity policies
   * carry the rest. An `EncryptionKey` with `viaServices: PostgresDatabase.ENCRYPTION_KEY_SERVICES`
   * (`['rds', 'secretsmanager']`) allows exactly this; so does the default policy of a `kms.Key`,
   * which admits the whole account.
   */
  readonly encryptionKey: kms.IKey;

  /** Encrypts the exported PostgreSQL log groups; must allow CloudWatch Logs. */
  readonly logEncryptionKey: kms.IKey;

  /**
   * Retention of the exported logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Name of the database created on the primary.
   *
   * @default 'app'
   */
  readonly databaseName?: string;

  /**
   * Master user name: administrators and the bootstrap that creates the application users.
   *
   * @default 'app_admin'
   */
  readonly masterUsername?: string;

  /**
   * Database user the application writes as, through the proxy with IAM authentication. This
   * construct only names it (grants and proxy permissions); the user itself, with `rds_iam`, is
   * created in the database by a bootstrap step that connects with the master credentials.
   *
   * @default 'app_writer'
   */
  readonly writerUser?: string;

  /**
   * Database user the application reads as, on the replicas (and the proxy where there are none)
   * with IAM authentication. Created like {@link writerUser}; replicas copy it from the primary.
   *
   * @default 'app_reader'
   */
  readonly readerUser?: string;

  /**
   * Initial gp3 storage, in GiB.
   *
   * @default 20
   */
  readonly allocatedStorageGiB?: number;

  /**
   * Ceiling of storage autoscaling, in GiB.
   *
   * @default 100
   */
  readonly maxAllocatedStorageGiB?: number;

  /**
   * A synchronous standby in another AZ.
   *
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * Read replicas, one per entry of `availabilityZones` after the first. They spread reads over AZs
   * but are not kept out of the primary's AZ (see `availabilityZones`).
   *
   * @default 0
   */
  readonly readReplicas?: number;

  /**
   * Automated backups and point-in-time recovery window, in days (1 to 35).
   *
   * @default 7
   */
  readonly backupRetentionDays?: number;

  /**
   * Performance Insights, encrypted with `encryptionKey`.
   *
   * @default true
   */
  readonly performanceInsights?: boolean;

  /**
   * Enhanced monitoring interval, in seconds; 0 turns it off.
   *
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;

  /**
   * Days between automatic rotations of the master credentials.
   *
   * @default 30
   */
  readonly credentialRotationDays?: number;

  /**
   * Refuse deletion of the primary.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the primary when it leaves the stack; replicas, secret and logs are retained
   * unless this is `DESTROY`.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Statements slower than this are logged, in milliseconds.
   *
   * @default 500
   */
  readonly slowStatementThresholdMs?: number;

  /**
   * Private DNS zone that carries the reader endpoint.
   *
   * @default 'database.internal'
   */
  readonly endpointZoneName?: string;

  /**
   * A replica lagging further behind than this, in seconds, for `readerHealthEvaluationMinutes`
   * in a row, leaves the reader endpoint (its Route 53 health check turns unhealthy).
   *
   * @default 30
   */
  readonly replicaLagThresholdSeconds?: number;

  /**
   * Consecutive minutes a reader target must look unhealthy (a replica lagging or silent, the
   * primary silent) before it leaves the reader endpoint, and healthy before it returns.
   *
   * @default 3
   */
  readonly readerHealthEvaluationMinutes?: number;
}

/** Props with every default applied: the one place defaults are written. */
type ResolvedPostgresDatabaseProps = Required<PostgresDatabaseProps>;

function resolvePostgresDatabaseProps(props: PostgresDatabaseProps): ResolvedPostgresDatabaseProps {
  return {
    ...props,
    rotationSubnets: props.rotationSubnets ?? props.subnets,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    databaseName: props.databaseName ?? 'app',
    masterUsername: props.masterUsername ?? 'app_admin',
    writerUser: props.writerUser ?? 'app_writer',
    readerUser: props.readerUser ?? 'app_reader',
    allocatedStorageGiB: props.allocatedStorageGiB ?? 20,
    maxAllocatedStorageGiB: props.maxAllocatedStorageGiB ?? 100,
    multiAz: props.multiAz ?? true,
    readReplicas: props.readReplicas ?? 0,
    backupRetentionDays: props.backupRetentionDays ?? 7,
    performanceInsights: props.performanceInsights ?? true,
    monitoringIntervalSeconds: props.monitoringIntervalSeconds ?? 60,
    credentialRotationDays: props.credentialRotationDays ?? 30,
    deletionProtection: props.deletionProtection ?? true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    slowStatementThresholdMs: props.slowStatementThresholdMs ?? 500,
    endpointZoneName: props.endpointZoneName ?? 'database.internal',
    replicaLagThresholdSeconds: props.replicaLagThresholdSeconds ?? 30,
    readerHealthEvaluationMinutes: props.readerHealthEvaluationMinutes ?? 3,
  };
}

const PORT = 5432;

/**
 * The `DbiResourceId` (`db-...`) of an instance, from its CloudFormation resource. Not
 * `instanceResourceId`: on a read replica aws-cdk-lib returns the instance ARN there unless the
 * feature flag `@aws-cdk/aws-rds:useCorrectValueForInstanceResourceIdProperty` is set, which would
 * make a `rds-db:connect` grant name a resource that never matches.
 */
function dbiResourceIdOf(instance: rds.DatabaseInstance | rds.DatabaseInstanceReadReplica): string {
  return (instance.node.defaultChild as rds.CfnDBInstance).attrDbiResourceId;
}

/**
 * The parameters of a PostgreSQL instance this library builds: TLS only, `pg_stat_statements`,
 * statements slower than `slowStatementThresholdMs` and every connection, lock wait, temporary file
 * and slow autovacuum logged. A replica in another region gets its own parameter group with these.
 */
export function postgresParameters(slowStatementThresholdMs: number): Record<string, string> {
  return {
    'rds.force_ssl': '1',
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    log_min_duration_statement: String(slowStatementThresholdMs),
    log_connections: '1',
    log_disconnections: '1',
    log_lock_waits: '1',
    log_temp_files: '0',
    log_autovacuum_min_duration: '1000',
  };
}

/** `rds-db:connect` as `users` on the instance with `dbiResourceId`, and nothing else. */
function connectAs(scope: Construct, grantee: iam.IGrantable, dbiResourceId: string, users: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['rds-db:connect'],
    resourceArns: users.map((user) => dbUserArn(scope, dbiResourceId, user)),
  });
}

/** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`. */
function dbUserArn(scope: Construct, resourceId: string, user: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds-db',
    resource: 'dbuser',
    resourceName: `${resourceId}/${user}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * PostgreSQL on RDS, ready for an application:
 *
 * - a primary (Multi-AZ by default) on gp3 with storage autoscaling, and read replicas pinned to
 *   `availabilityZones[1..]` (a Multi-AZ primary may sit in any of them), all encrypted with a
 *   customer-managed key and in the given (isolated) subnets;
 * - connection pooling through RDS Proxy with TLS required and end-to-end IAM authentication (see
 *   "Authentication" below);
 * - one writer endpoint (the proxy) and one reader endpoint (a private DNS name weighted over the
 *   replicas, or the proxy when there are none), whatever the replica count. Each replica's record
 *   carries a Route 53 health check on a CloudWatch alarm (lag above
 *   `replicaLagThresholdSeconds`, or no `ReplicaLag` at all), so a failed or lagging replica stops
 *   receiving new connections; when every replica is unhealthy a zero-weight record sends readers
 *   to the proxy (the primary) instead;
 * - master credentials generated into Secrets Manager and rotated on a schedule, for administrators
 *   and the bootstrap step only;
 * - TLS forced, slow statements, connections and `pg_stat_statements` logged, logs exported to
 *   encrypted log groups; Performance Insights and enhanced monitoring;
 * - backups with point-in-time recovery, deletion protection and a final snapshot by default.
 *
 * The primary accepts connections only from the proxy, the rotation function and peers let in with
 * {@link allowAdministrationFrom}. Clients are let in with {@link allowFrom}: to the proxy and, for
 * the reader endpoint, to the replicas.
 *
 * Authentication. The application holds no database password: it connects as {@link writerUser}
 * or {@link readerUser} with 15-minute IAM authentication tokens (`@aws-sdk/rds-signer`), allowed
 * by {@link grantConnectAsWriter} / {@link grantConnectAsReader}.
 * - Writes: RDS Proxy with end-to-end IAM authentication (`DefaultAuthScheme: IAM_AUTH`, available
 *   since 2025-09 for RDS for PostgreSQL; aws-cdk-lib `defaultAuthScheme`). Clients must present an
 *   IAM token, and the proxy itself logs in to the primary with IAM, as the same user, using its
 *   role's `rds-db:connect` on `dbuser:<primary DbiResourceId>/<user>`; it holds no secret, so a
 *   rotation of the master password never touches it. Sources: RDS User Guide, "Configuring IAM
 *   authentication for RDS Proxy" (rds-proxy-iam-setup.html, end-to-end steps) and "Connecting to
 *   a database using IAM authentication" (rds-proxy-connecting.html); CloudFormation
 *   `AWS::RDS::DBProxy` `DefaultAuthScheme` (with it, `Auth` is optional and left out).
 * - Reads: RDS Proxy has read-only endpoints for Aurora only, so readers connect to the replicas
 *   directly with IAM database authentication (`iamAuthentication` on every instance).
 * - Requirements on the database side (the bootstrap's job): both users exist with `GRANT rds_iam`
 *   (a member of `rds_iam` can then only log in with IAM, never with a password), and the
 *   `rds-db:connect` resource names the user exactly (case-sensitive). RDS recommends IAM
 *   authentication below about 200 new connections per second: pool connections.
 * - Master password: a CDK-generated secret with hosted single-user rotation, not an RDS-managed
 *   password, because RDS cannot create read replicas of an instance whose master password it
 *   manages (RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager",
 *   Limitations). Single-user rotation is safe here: nothing long-running holds the master password.
 */
export class PostgresDatabase extends Construct implements IPostgresDatabase {
  /**
   * The services through which principals of the account must be able to use `encryptionKey`: pass
   * them as `EncryptionKey`'s `viaServices`.
   */
  public static readonly ENCRYPTION_KEY_SERVICES: readonly string[] = ['rds', 'secretsmanager'];

  /** The primary instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The read replicas, in AZ order. */
  public readonly replicas: readonly rds.DatabaseInstanceReadReplica[];
  /** The connection pooler in front of the primary. */
  public readonly proxy: rds.DatabaseProxy;
  /**
   * Host name for reads and writes: the proxy. Clients sign their IAM token for this host name and
   * connect as {@link writerUser}.
   */
  public readonly writerEndpoint: string;
  /**
   * Host name for reads: `reader.<endpointZoneName>`, a weighted CNAME over the replicas' own RDS
   * endpoints (the proxy when there are none, or when every replica is unhealthy).
   *
   * An IAM authentication token is a SigV4-presigned request for one host name and port, and RDS
   * validates it against the instance's own endpoint: the RDS User Guide says a custom Route 53 DNS
   * record cannot be used instead of the DB instance endpoint to generate the token
   * (UsingWithRDS.IAMDBAuth.Connecting.html). So clients resolve this name (a CNAME lookup), then
   * sign the token for, connect to and verify the TLS certificate of the target it names (a replica
   * endpoint or the proxy endpoint), as {@link readerUser}. The record's 5-second TTL keeps a
   * resolution fresh enough to follow health changes for new connections.
   */
  public readonly readerEndpoint: string;
  /** TCP port of both endpoints. */
  public readonly port = PORT;
  /** Name of the application database. */
  public readonly databaseName: string;
  /** Database user the application writes as (IAM authentication through the proxy). */
  public readonly writerUser: string;
  /** Database user the application reads as (IAM authentication on the replicas or the proxy). */
  public readonly readerUser: string;
  /**
   * Master credentials (`username`, `password`, `host`, `port`, `dbname`), rotated. For
   * administrators and the bootstrap step only; the application never gets them.
   */
  public readonly masterCredentials: secretsmanager.ISecret;
  /**
   * The PostgreSQL log groups (`/aws/rds/instance/<id>/postgresql`) of the primary and the replicas:
   * errors, and statements slower than the slow-statement threshold.
   */
  public readonly postgresLogGroups: readonly logs.ILogGroup[];
  /**
   * The log group of the credential rotation function (`/aws/lambda/<prefix>-db-rotation`), owned
   * here so that it is encrypted and expires: Lambda would otherwise create it on the first
   * rotation, unencrypted and kept forever.
   */
  public readonly rotationLogGroup: logs.ILogGroup;
  /** The subnet group of the primary and the replicas: restored copies go there too. */
  public readonly subnetGroup: rds.ISubnetGroup;
  /**
   * A security group with no rule in either direction, for restored copies of the database (restore
   * tests, drills): a copy holds production data and must not be reachable by what can reach the
   * primary.
   */
  public readonly isolatedSecurityGroup: ec2.ISecurityGroup;
  /** The deploy-time step that creates and maintains the application users and their privileges. */
  public readonly bootstrap: DatabaseBootstrap;
  /** Where clients must be allowed in: the proxy and the replicas. */
  public readonly connections: ec2.Connections;
  private readonly encryptionKey: kms.IKey;
  private readonly primarySecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const p = resolvePostgresDatabaseProps(props);
    throwOnProblems(
      this,
      postgresDatabaseProblems({
        identifierPrefix: p.identifierPrefix,
        availabilityZoneCount: p.availabilityZones.length,
        multiAz: p.multiAz,
        readReplicas: p.readReplicas,
        allocatedStorageGiB: p.allocatedStorageGiB,
        maxAllocatedStorageGiB: p.maxAllocatedStorageGiB,
        backupRetentionDays: p.backupRetentionDays,
        monitoringIntervalSeconds: p.monitoringIntervalSeconds,
        replicaLagThresholdSeconds: p.replicaLagThresholdSeconds,
        readerHealthEvaluationMinutes: p.readerHealthEvaluationMinutes,
        writerUser: p.writerUser,
        readerUser: p.readerUser,
        masterUsername: p.masterUsername,
      }),
    );
    // Replicas, secret, subnet group and logs hold or describe data: kept unless the primary is disposable.
    // Retained except when the stack's first create rolls back: a retained leftover with a fixed name
    // (a replica identifier, an RDS log group) would make every retry of that create fail.
    const retainedUnlessDestroyed =
      p.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.databaseName = p.databaseName;
    this.writerUser = p.writerUser;
    this.readerUser = p.readerUser;
    this.encryptionKey = p.encryptionKey;

    const engine = rds.DatabaseInstanceEngine.postgres({ version: p.engineVersion });
    const securityGroups = new Construct(this, 'SecurityGroups');
    const securityGroup = (sgId: string, description: string) =>
      new ec2.SecurityGroup(securityGroups, sgId, { vpc: p.vpc, description, allowAllOutbound: false });
    const primarySecurityGroup = securityGroup('Primary', 'PostgreSQL primary: only the proxy and credential rotation');
    this.primarySecurityGroup = primarySecurityGroup;
    const proxySecurityGroup = securityGroup('Proxy', 'PostgreSQL proxy: only explicitly allowed clients');
    const replicaSecurityGroup = securityGroup('Replicas', 'PostgreSQL replicas: only explicitly allowed clients');
    const rotationSecurityGroup = securityGroup('Rotation', 'PostgreSQL credential rotation function');
    // Restored copies (restore tests, drills) must reach nothing and be reached by nothing.
    this.isolatedSecurityGroup = securityGroup('Isolated', 'PostgreSQL restored copies: no traffic in or out');
    // The rotation function calls Secrets Manager over HTTPS as well as the database.
    rotationSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API');

    const secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: p.masterUsername,
      encryptionKey: p.encryptionKey,
      // Characters that break connection strings and shell quoting.
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });
    secret.applyRemovalPolicy(retainedUnlessDestroyed);

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `${p.identifierPrefix}: TLS only, slow statements and connections logged`,
      parameters: postgresParameters(p.slowStatementThresholdMs),
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: p.vpc,
      vpcSubnets: p.subnets,
      description: `${p.identifierPrefix} database subnets`,
      removalPolicy: retainedUnlessDestroyed,
    });
    this.subnetGroup = subnetGroup;

    const monitoring = p.monitoringIntervalSeconds > 0;
    const monitoringRole = monitoring
      ? new ServiceRole(this, 'MonitoringRole', {
          description: 'RDS enhanced monitoring',
          // RDS's guide to Enhanced Monitoring recommends aws:SourceAccount against the confused deputy.
          assumedBy: sameAccountServicePrincipal(this, 'monitoring.rds.amazonaws.com'),
          managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
        })
      : undefined;

    const logGroups = new Construct(this, 'Logs');
    const postgresLogGroups: logs.ILogGroup[] = [];
    const exportedLogs = (instanceId: string, constructId: string): string[] => {
      const group = new Construct(logGroups, constructId);
      return ['postgresql', 'upgrade'].map((type) => {
        const logGroup = new logs.LogGroup(group, type === 'postgresql' ? 'Postgresql' : 'Upgrade', {
          logGroupName: `/aws/rds/instance/${instanceId}/${type}`,
          encryptionKey: p.logEncryptionKey,
          retention: p.logRetention,
          removalPolicy: retainedUnlessDestroyed,
        });
        if (type === 'postgresql') postgresLogGroups.push(logGroup);
        return type;
      });
    };
    this.postgresLogGroups = postgresLogGroups;

    // What the primary and the replicas share. Key order matters: CDK records the props of its
    // constructs, in order, in the template's CDKMetadata.
    const common = {
      vpc: p.vpc,
      instanceType: p.instanceType,
      subnetGroup,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage: p.maxAllocatedStorageGiB,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      iamAuthentication: true,
      enablePerformanceInsights: p.performanceInsights,
      performanceInsightEncryptionKey: p.performanceInsights ? p.encryptionKey : undefined,
      monitoringInterval: monitoring ? Duration.seconds(p.monitoringIntervalSeconds) : undefined,
      monitoringRole,
      copyTagsToSnapshot: true,
    } satisfies Partial<rds.DatabaseInstanceProps>;

    const identifiers = postgresInstanceIdentifiers(p.identifierPrefix, p.readReplicas);
    const primaryId = identifiers.primary;
    const primaryLogs = exportedLogs(primaryId, 'Primary');
    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      ...common,
      engine,
      instanceIdentifier: primaryId,
      // Replicas inherit the primary's encryption (CloudFormation rejects StorageEncrypted on them).
      storageEncryptionKey: p.encryptionKey,
      databaseName: p.databaseName,
      credentials: rds.Credentials.fromSecret(secret),
      allocatedStorage: p.allocatedStorageGiB,
      multiAz: p.multiAz,
      availabilityZone: p.multiAz ? undefined : p.availabilityZones[0],
      securityGroups: [primarySecurityGroup],
      port: PORT,
      backupRetention: Duration.days(p.backupRetentionDays),
      // Automated backups outlive the instance where data is retained; disposable ones go with it.
      deleteAutomatedBackups: p.removalPolicy === RemovalPolicy.DESTROY,
      deletionProtection: p.deletionProtection,
      removalPolicy: p.removalPolicy,
      cloudwatchLogsExports: primaryLogs,
    });
    this.instance.node.addDependency(logGroups.node.findChild('Primary'));
    const attachedSecret = this.instance.secret;
    if (attachedSecret === undefined) {
      throw new ValidationError(this, 'the primary has no credentials secret; this is a bug in PostgresDatabase');
    }
    this.masterCredentials = attachedSecret;

    const replicas = new Construct(this, 'Replicas');
    this.replicas = Array.from({ length: p.readReplicas }, (_, index) => {
      const replicaId = identifiers.replicas[index] as string;
      const replicaLogs = exportedLogs(replicaId, `Replica${index + 1}`);
      const replica = new rds.DatabaseInstanceReadReplica(replicas, `Replica${index + 1}`, {
        ...common,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: replicaId,
        availabilityZone: p.availabilityZones[index + 1],
        securityGroups: [replicaSecurityGroup],
        // Kept when the stack goes (unless disposable): a replica promoted by hand is a standalone
        // database, and the delete handler takes no final snapshot of what its template calls a replica.
        removalPolicy: retainedUnlessDestroyed,
        deletionProtection: p.deletionProtection,
        cloudwatchLogsExports: replicaLogs,
      });
      replica.node.addDependency(logGroups.node.findChild(`Replica${index + 1}`));
      return replica;
    });

    const proxyRole = new ServiceRole(this, 'ProxyRole', {
      description: `RDS Proxy of ${p.identifierPrefix}: logs in to the primary as the application users with IAM`,
      assumedBy: sameAccountServicePrincipal(this, 'rds.amazonaws.com'),
    });
    // End-to-end IAM: the proxy logs in to the primary as the client's user with its own role.
    // aws-cdk-lib's DatabaseProxy grants the role nothing for this (it only grants secrets), so the
    // role may connect as exactly the application users, never as the master user.
    connectAs(this, proxyRole, dbiResourceIdOf(this.instance), [p.writerUser, p.readerUser]);
    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(this.instance),
      dbProxyName: `${p.identifierPrefix}-proxy`,
      // No secrets: with IAM_AUTH the proxy needs none, and the master secret stays out of its reach.
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      role: proxyRole,
      vpc: p.vpc,
      vpcSubnets: p.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      // Only read for secret-based Auth entries (there are none); stated for the reader's sake:
      // every client authenticates with IAM.
      iamAuth: true,
      debugLogging: false,
    });
    // The role's policy must exist before the proxy opens its first connection to the primary. The
    // dependency on the role itself is redundant next to the GetAtt of its ARN (cfn-lint W3005).
    this.proxy.node.addDependency(proxyRole);
    ignoreLintChecks(this.proxy.node.defaultChild as CfnResource, ['W3005']);
    this.writerEndpoint = this.proxy.endpoint;

    // The application users exist, with rds_iam and exactly their privileges, before the proxy logs
    // in as them: a deploy-time step inside the VPC, the only user of the master credential besides
    // administrators (see DatabaseBootstrap).
    this.bootstrap = new DatabaseBootstrap(this, 'Bootstrap', {
      vpc: p.vpc,
      // Secrets Manager is reached over HTTPS: the tier with egress, as for rotation.
      vpcSubnets: p.rotationSubnets,
      databaseInstance: this.instance,
      masterSecret: attachedSecret,
      masterSecretKey: this.encryptionKey,
      port: PORT,
      databaseName: p.databaseName,
      writerRole: p.writerUser,
      readerRole: p.readerUser,
      iamAuthentication: true,
      logRetention: p.logRetention,
      logEncryptionKey: p.logEncryptionKey,
      removalPolicy: retainedUnlessDestroyed,
    });
    this.proxy.node.addDependency(this.bootstrap.resource);

    // Hosted rotation through the AWS::SecretsManager-2024-09-16 transform (aws-cdk-lib adds it).
    // Its Runtime is deliberately left unset: with this transform AWS picks the Python runtime and
    // the matching binaries (the PostgreSQL driver is compiled per Python version) and upgrades
    // both on every stack update, and CloudFormation's reference says not to set Runtime with it.
    // Pinning one would load the vended binaries into a different interpreter (ImportModuleError
    // "No module named '_pg'", aws-cdk#35503) once AWS moves on. Deploy the stack to pick up a newer
    // runtime; the 2020-07-23 transform, which pins python3.10, must not come back.
    // Single-user rotation suits the master user: only administrators and the deploy-time bootstrap
    // use it, each reading the secret afresh; no long-running client keeps the old password.
    const rotationFunctionName = `${p.identifierPrefix}-db-rotation`;
    const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({
      functionName: rotationFunctionName,
      vpc: p.vpc,
      vpcSubnets: p.rotationSubnets,
      securityGroups: [rotationSecurityGroup],
    });
    // The transform's function has no logging settings, so its default log group is made here, and
    // the schedule (whose creation is the first moment the function could run) waits for it: were
    // Lambda to create the group first, creating this one would fail with "already exists".
    this.rotationLogGroup = new logs.LogGroup(logGroups, 'Rotation', {
      logGroupName: `/aws/lambda/${rotationFunctionName}`,
      encryptionKey: p.logEncryptionKey,
      retention: p.logRetention,
      removalPolicy: retainedUnlessDestroyed,
    });
    const schedule = attachedSecret.addRotationSchedule('Rotation', {
      hostedRotation: rotation,
      automaticallyAfter: Duration.days(p.credentialRotationDays),
      // Rotating on every create and schedule update (the default) would change the master password
      // while the bootstrap step of the same deploy reads it and connects: a race it could lose
      // (password authentication failed) and fail the deploy. Rotation runs on its schedule only.
      rotateImmediatelyOnUpdate: false,
    });
    schedule.node.addDependency(this.rotationLogGroup);
    this.instance.connections.allowDefaultPortFrom(rotationSecurityGroup, 'Credential rotation');

    const zone = new route53.PrivateHostedZone(this, 'Endpoints', {
      zoneName: p.endpointZoneName,
      vpc: p.vpc,
      comment: `${p.identifierPrefix}: stable reader endpoint`,
    });
    // Reader health: Route 53 cannot reach private endpoints, so each record's health check reads a
    // CloudWatch alarm instead. Missing data counts as breaching: an instance that is stopped,
    // failed or no longer replicating stops publishing, which must read as unhealthy, not as fine.
    const health = new Construct(this, 'ReaderHealth');
    const healthCheckOf = (
      healthId: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
    ) => {
      const alarm = new cloudwatch.Alarm(health, `${healthId}Alarm`, {
        alarmDescription: `${p.identifierPrefix}: ${description}; its reader record is unhealthy while this is in ALARM`,
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: p.readerHealthEvaluationMinutes,
        datapointsToAlarm: p.readerHealthEvaluationMinutes,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      return new route53.HealthCheck(health, healthId, {
        type: route53.HealthCheckType.CLOUDWATCH_METRIC,
        alarmIdentifier: { region: Stack.of(this).region, name: alarm.alarmName },
        // Route 53 judges the alarm's metric data itself and, when there is too little, uses this
        // status rather than the alarm's TreatMissingData: a stopped replica publishes nothing, so
        // too little data must read as unhealthy. Right after creation every check may briefly be
        // unhealthy; Route 53 then answers with all records, as if all were healthy.
        insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.UNHEALTHY,
      });
    };
    const everyMinute = { period: Duration.minutes(1) };
    // The primary is alive while it publishes metrics at all (one CPUUtilization sample a minute).
    const primaryHealth = healthCheckOf(
      'Primary',
      'the primary publishes no metrics (stopped, failed or unreachable)',
      this.instance.metricCPUUtilization({ ...everyMinute, statistic: 'SampleCount' }),
      1,
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    );

    const readerRecords = new Construct(zone, 'Reader');
    const readerRecord = (
      recordId: string,
      target: string,
      weight: number,
      setIdentifier: string,
      check: route53.IHealthCheck,
    ) =>
      new route53.CnameRecord(readerRecords, recordId, {
        zone,
        recordName: 'reader',
        domainName: target,
        ttl: Duration.seconds(5),
        weight,
        setIdentifier,
        healthCheck: check,
      });
    if (this.replicas.length === 0) {
      // One target: Route 53 returns it whatever its health; the check makes the record's health visible.
      readerRecord('Target1', this.proxy.endpoint, 1, 'reader-1', primaryHealth);
    } else {
      this.replicas.forEach((replica, index) => {
        const check = healthCheckOf(
          `Replica${index + 1}`,
          `replica ${index + 1} lags over ${p.replicaLagThresholdSeconds} s or publishes no ReplicaLag (stopped, failed or not replicating)`,
          replica.metric('ReplicaLag', { ...everyMinute, statistic: 'Maximum' }),
          p.replicaLagThresholdSeconds,
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        );
        readerRecord(`Target${index + 1}`, replica.dbInstanceEndpointAddress, 1, `reader-${index + 1}`, check);
      });
      // Route 53 answers with zero-weight records only when every nonzero-weight record is
      // unhealthy: then readers go to the proxy (the primary), which serves current data, rather
      // than to replicas that are down or far behind.
      readerRecord('Fallback', this.proxy.endpoint, 0, 'reader-primary', primaryHealth);
    }
    this.readerEndpoint = `reader.${zone.zoneName}`;

    this.connections = new ec2.Connections({
      securityGroups: [proxySecurityGroup, replicaSecurityGroup],
      defaultPort: ec2.Port.tcp(PORT),
    });
  }

  /**
   * Lets `peer` reach the writer (proxy) and reader (replicas) endpoints on the PostgreSQL port.
   * The rules are created from the peer's side, so they live in the peer's stack: a consumer stack
   * that depends on this one never makes this one depend back on it.
   */
  public allowFrom(peer: ec2.IConnectable, description = 'PostgreSQL client'): void {
    peer.connections.allowTo(this, ec2.Port.tcp(PORT), description);
  }

  /**
   * Lets `peer` reach the primary itself on the PostgreSQL port, bypassing the proxy: for the
   * bootstrap step and administrators, who log in as the master user (the proxy only admits IAM
   * users). Never for the application.
   */
  public allowAdministrationFrom(peer: ec2.IConnectable, description = 'PostgreSQL administration'): void {
    peer.connections.allowTo(
      new ec2.Connections({ securityGroups: [this.primarySecurityGroup] }),
      ec2.Port.tcp(PORT),
      description,
    );
  }

  /**
   * Lets `grantee` read the master credentials secret (and decrypt it through Secrets Manager):
   * for administrator tooling and the bootstrap step only, never for the application (whose
   * users authenticate with IAM). Works across stacks: only the grantee's policy changes.
   */
  public grantReadMasterCredentials(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(grantee, this.masterCredentials, this.encryptionKey);
  }

  /**
   * Lets `grantee` connect through the writer endpoint as {@link writerUser}: `rds-db:connect` on
   * `arn:aws:rds-db:<region>:<account>:dbuser:<proxy resource id>/<writerUser>` only (the proxy's
   * resource id, `prx-...`, is the last segment of its ARN; aws-cdk-lib's `DatabaseProxy.grantConnect`
   * builds it). No right on the instances themselves.
   */
  public grantConnectAsWriter(grantee: iam.IGrantable): iam.Grant {
    return this.grantConnectThrough(grantee, 'ConnectAsWriter', [
      { resourceId: this.proxyResourceId(), user: this.writerUser },
    ]);
  }

  /**
   * Lets `grantee` connect to every target of the reader endpoint as {@link readerUser}:
   * `rds-db:connect` on `dbuser:<replica DbiResourceId>/<readerUser>` of each replica, and on
   * `dbuser:<proxy resource id>/<readerUser>`, since the reader name points to the proxy where
   * there are no replicas and when every replica is unhealthy (the fallback record).
   */
  public grantConnectAsReader(grantee: iam.IGrantable): iam.Grant {
    return this.grantConnectThrough(grantee, 'ConnectAsReader', [
      { resourceId: this.proxyResourceId(), user: this.readerUser },
      ...this.replicas.map((replica) => ({ resourceId: dbiResourceIdOf(replica), user: this.readerUser })),
    ]);
  }

  /** The proxy's resource id (`prx-...`), the last part of its ARN. */
  private proxyResourceId(): string {
    return Fn.select(6, Fn.split(':', this.proxy.dbProxyArn));
  }

  /**
   * `rds-db:connect` on exactly `targets`. A grantee in this stack gets the statement in its own
   * policy. A role in another stack gets a managed policy of this stack attached: the proxy's
   * resource id is cut out of its ARN with Fn::Split, which CloudFormation does not accept around
   * the Fn::GetStackOutput a consumer would read the ARN through (cfn-lint E1022), so the ARN is
   * built here and the consumer only names the policy.
   */
  private grantConnectThrough(
    grantee: iam.IGrantable,
    policyId: string,
    targets: ReadonlyArray<{ resourceId: string; user: string }>,
  ): iam.Grant {
    const principal = grantee.grantPrincipal;
    const arns = targets.map(({ resourceId, user }) => dbUserArn(this, resourceId, user));
    if (!(principal instanceof iam.Role) || Stack.of(principal) === Stack.of(this)) {
      return iam.Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns: arns });
    }
    const policy =
      (this.node.tryFindChild(policyId) as iam.ManagedPolicy | undefined) ??
      new iam.ManagedPolicy(this, policyId, {
        description: `Connect to ${this.node.path} with IAM as ${targets[0]?.user ?? ''} only`,
        statements: [new iam.PolicyStatement({ actions: ['rds-db:connect'], resources: arns })],
      });
    principal.addManagedPolicy(policy);
    return iam.Grant.drop(grantee, `rds-db:connect through the managed policy ${policyId}`);
  }

  /**
   * The percentage of CPU utilization of the primary (`AWS/RDS` `CPUUtilization`, dimension
   * `DBInstanceIdentifier`).
   *
   * @default - average over 5 minutes
   */
  public metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.instance.metricCPUUtilization(props);
  }

  /**
   * The amount of available random access memory of the primary, in bytes (`AWS/RDS`
   * `FreeableMemory`, dimension `DBInstanceIdentifier`).
   *
   * @default - average over 5 minutes
   */
  public metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.instance.metricFreeableMemory(props);
  }

  /**
   * The amount of available storage space of the primary, in bytes (`AWS/RDS` `FreeStorageSpace`,
   * dimension `DBInstanceIdentifier`). Storage autoscaling grows it up to `maxAllocatedStorageGiB`.
   *
   * @default - average over 5 minutes
   */
  public metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.instance.metricFreeStorageSpace(props);
  }

  /**
   * The number of database connections in use on the primary: the proxy's pool, the rotation
   * function and administrators' direct sessions (`AWS/RDS` `DatabaseConnections`, dimension
   * `DBInstanceIdentifier`).
   *
   * @default - average over 5 minutes
   */
  public metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.instance.metricDatabaseConnections(props);
  }

  /**
   * How far the read replicas lag behind the primary, in seconds: `AWS/RDS` `ReplicaLag` of each
   * replica (dimension `DBInstanceIdentifier`), the replica's own metric when there is one, else the
   * math expression `MAX([...])` over all replicas. `props` are split by `splitMetricOptions` with
   * `alike` members: `statistic`, `unit`, `account` and `region` go on each replica's metric,
   * `label`, `color`, `period` and `visible` on the expression.
   *
   * Throws a `ValidationError` when there are no read replicas: only replicas publish `ReplicaLag`,
   * and an alarm on a metric without data would stay in INSUFFICIENT_DATA instead of guarding
   * anything. Ask for it only where `readReplicas` is above 0.
   *
   * @default - maximum over 5 minutes
   */
  public metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    if (this.replicas.length === 0) {
      throw new ValidationError(
        this,
        'metricReplicaLag: there are no read replicas, and only replicas publish ReplicaLag; ask for it only where readReplicas is above 0',
      );
    }
    return acrossMembers(
      this,
      'MAX',
      this.replicas,
      (replica, options) => replica.metric('ReplicaLag', { statistic: 'Maximum', ...options }),
      props,
      'ReplicaLag (largest of the replicas)',
    );
  }

  /**
   * The current number of client connections to the proxy, the writer endpoint (`AWS/RDS`
   * `ClientConnections`, dimension `ProxyName`). The proxy reports it once a minute from each of
   * the instances that serve it; their sum over one minute is the proxy's count (a longer period
   * would add up several reports).
   *
   * @default - sum over 1 minute
   */
  public metricProxyClientConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.proxyMetric('ClientConnections', { period: Duration.minutes(1), ...props });
  }

  /**
   * The number of connections the proxy failed to open to the primary (`AWS/RDS`
   * `DatabaseConnectionsSetupFailed`, dimension `ProxyName`). The one proxy metric to page on: above
   * 0, the primary is down, unreachable from the proxy, or refuses the proxy's IAM login (e.g. an
   * application user missing, or without `rds_iam`), and clients cannot get connections at all.
   *
   * @default - sum over 5 minutes
   */
  public metricProxyDatabaseConnectionsSetupFailed(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.proxyMetric('DatabaseConnectionsSetupFailed', props);
  }

  /**
   * The number of client connections the proxy refused because authentication or TLS failed
   * (`AWS/RDS` `ClientConnectionsSetupFailedAuth`, dimension `ProxyName`): clients with expired or
   * wrongly signed IAM tokens (e.g. signed for another host name), users they have no
   * `rds-db:connect` for, or without TLS, which the proxy requires. Worth a ticket rather than a page:
   * it blames clients, not the database.
   *
   * @default - sum over 5 minutes
   */
  public metricProxyClientConnectionsSetupFailedAuth(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.proxyMetric('ClientConnectionsSetupFailedAuth', props);
  }

  private proxyMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { ProxyName: this.proxy.dbProxyName },
      statistic: 'Sum',
      ...props,
    }).attachTo(this);
  }
}
