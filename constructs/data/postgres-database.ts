import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { grantSecretRead } from '../shared/grants';
import { sameAccountServicePrincipal } from '../shared/principals';
import { ServiceRole } from '../shared/service-role';

/** Properties of a {@link PostgresDatabase}. */
export interface PostgresDatabaseProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /** Subnets of the instances and the proxy: the isolated tier. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * Subnets of the credential-rotation function. It calls the Secrets Manager API, so it needs
   * either egress or a Secrets Manager interface endpoint.
   *
   * @default - `subnets`
   */
  readonly rotationSubnets?: ec2.SubnetSelection;

  /** Availability zones to place the primary and replicas in: the primary in the first, replicas in the others. */
  readonly availabilityZones: string[];

  /** Engine version, e.g. `rds.PostgresEngineVersion.VER_17_6`. */
  readonly engineVersion: rds.PostgresEngineVersion;

  /** Instance type of the primary and replicas; Graviton classes are cheapest per performance. */
  readonly instanceType: ec2.InstanceType;

  /**
   * Prefix of the instance and proxy identifiers, e.g. `learning-assistant-prod`. The identifiers
   * name the exported log groups, which this construct creates (encrypted, with retention).
   */
  readonly identifierPrefix: string;

  /** Encrypts storage, snapshots, Performance Insights and the credentials secret. */
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
   * Master user name.
   *
   * @default 'app_admin'
   */
  readonly masterUsername?: string;

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
   * Read replicas, one per AZ after the primary's.
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
   * Days between automatic rotations of the credentials.
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
}

const PORT = 5432;
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];

/**
 * PostgreSQL on RDS, ready for an application:
 *
 * - a primary (Multi-AZ by default) on gp3 with storage autoscaling, and read replicas spread over
 *   the other AZs, all encrypted with a customer-managed key and in the given (isolated) subnets;
 * - connection pooling through RDS Proxy with TLS required and credentials from Secrets Manager;
 * - one writer endpoint (the proxy) and one reader endpoint (a private DNS name weighted over the
 *   replicas, or the proxy when there are none), whatever the replica count;
 * - credentials generated into Secrets Manager and rotated on a schedule;
 * - TLS forced, slow statements, connections and `pg_stat_statements` logged, logs exported to
 *   encrypted log groups; Performance Insights and enhanced monitoring; IAM authentication available;
 * - backups with point-in-time recovery, deletion protection and a final snapshot by default.
 *
 * The primary accepts connections only from the proxy and the rotation function. Clients are let
 * in with {@link allowFrom}: to the proxy and, for the reader endpoint, to the replicas.
 */
export class PostgresDatabase extends Construct implements ec2.IConnectable {
  /** The primary instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The read replicas, in AZ order. */
  public readonly replicas: readonly rds.DatabaseInstanceReadReplica[];
  /** The connection pooler in front of the primary. */
  public readonly proxy: rds.DatabaseProxy;
  /** Host name for reads and writes: the proxy. */
  public readonly writerEndpoint: string;
  /** Host name for reads: the replicas, or the proxy when there are none. */
  public readonly readerEndpoint: string;
  /** TCP port of both endpoints. */
  public readonly port = PORT;
  /** Name of the application database. */
  public readonly databaseName: string;
  /** Master credentials (`username`, `password`, `host`, `port`, `dbname`), rotated. */
  public readonly credentials: secretsmanager.ISecret;
  /** Where clients must be allowed in: the proxy and the replicas. */
  public readonly connections: ec2.Connections;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const readReplicas = props.readReplicas ?? 0;
    const monitoringInterval = props.monitoringIntervalSeconds ?? 60;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const retainedUnlessDestroyed =
      removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.validate(props, readReplicas, monitoringInterval);
    this.databaseName = props.databaseName ?? 'app';
    this.encryptionKey = props.encryptionKey;

    const engine = rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion });
    const securityGroups = new Construct(this, 'SecurityGroups');
    const securityGroup = (sgId: string, description: string) =>
      new ec2.SecurityGroup(securityGroups, sgId, { vpc: props.vpc, description, allowAllOutbound: false });
    const primarySecurityGroup = securityGroup('Primary', 'PostgreSQL primary: only the proxy and credential rotation');
    const proxySecurityGroup = securityGroup('Proxy', 'PostgreSQL proxy: only explicitly allowed clients');
    const replicaSecurityGroup = securityGroup('Replicas', 'PostgreSQL replicas: only explicitly allowed clients');
    const rotationSecurityGroup = securityGroup('Rotation', 'PostgreSQL credential rotation function');
    // The rotation function calls Secrets Manager over HTTPS as well as the database.
    rotationSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API');

    const secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: props.masterUsername ?? 'app_admin',
      encryptionKey: props.encryptionKey,
      // Characters that break connection strings and shell quoting.
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });
    secret.applyRemovalPolicy(retainedUnlessDestroyed);

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `${props.identifierPrefix}: TLS only, slow statements and connections logged`,
      parameters: {
        'rds.force_ssl': '1',
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'all',
        log_min_duration_statement: String(props.slowStatementThresholdMs ?? 500),
        log_connections: '1',
        log_disconnections: '1',
        log_lock_waits: '1',
        log_temp_files: '0',
        log_autovacuum_min_duration: '1000',
      },
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      description: `${props.identifierPrefix} database subnets`,
      removalPolicy: retainedUnlessDestroyed,
    });

    const monitoringRole =
      monitoringInterval > 0
        ? new ServiceRole(this, 'MonitoringRole', {
            description: 'RDS enhanced monitoring',
            assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
            managedPolicies: [
              iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
            ],
          })
        : undefined;

    const logGroups = new Construct(this, 'Logs');
    const exportedLogs = (instanceId: string, constructId: string): string[] => {
      const group = new Construct(logGroups, constructId);
      return ['postgresql', 'upgrade'].map((type) => {
        new logs.LogGroup(group, type === 'postgresql' ? 'Postgresql' : 'Upgrade', {
          logGroupName: `/aws/rds/instance/${instanceId}/${type}`,
          encryptionKey: props.logEncryptionKey,
          retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
          removalPolicy: retainedUnlessDestroyed,
        });
        return type;
      });
    };

    const common = {
      vpc: props.vpc,
      instanceType: props.instanceType,
      subnetGroup,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage: props.maxAllocatedStorageGiB ?? 100,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      iamAuthentication: true,
      enablePerformanceInsights: props.performanceInsights ?? true,
      performanceInsightEncryptionKey: props.performanceInsights === false ? undefined : props.encryptionKey,
      monitoringInterval: monitoringInterval > 0 ? Duration.seconds(monitoringInterval) : undefined,
      monitoringRole,
      copyTagsToSnapshot: true,
    } satisfies Partial<rds.DatabaseInstanceProps>;

    const primaryId = `${props.identifierPrefix}-primary`;
    const primaryLogs = exportedLogs(primaryId, 'Primary');
    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      ...common,
      engine,
      instanceIdentifier: primaryId,
      // Replicas inherit the primary's encryption (CloudFormation rejects StorageEncrypted on them).
      storageEncryptionKey: props.encryptionKey,
      databaseName: this.databaseName,
      credentials: rds.Credentials.fromSecret(secret),
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      multiAz: props.multiAz ?? true,
      availabilityZone: props.multiAz === false ? props.availabilityZones[0] : undefined,
      securityGroups: [primarySecurityGroup],
      port: PORT,
      backupRetention: Duration.days(props.backupRetentionDays ?? 7),
      // Automated backups outlive the instance where data is retained; disposable ones go with it.
      deleteAutomatedBackups: removalPolicy === RemovalPolicy.DESTROY,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
      cloudwatchLogsExports: primaryLogs,
    });
    this.instance.node.addDependency(logGroups.node.findChild('Primary'));
    const attachedSecret = this.instance.secret;
    if (attachedSecret === undefined) {
      throw new ValidationError(this, 'the primary has no credentials secret; this is a bug in PostgresDatabase');
    }
    this.credentials = attachedSecret;

    const replicas = new Construct(this, 'Replicas');
    this.replicas = Array.from({ length: readReplicas }, (_, index) => {
      const replicaId = `${props.identifierPrefix}-replica-${index + 1}`;
      const replicaLogs = exportedLogs(replicaId, `Replica${index + 1}`);
      const replica = new rds.DatabaseInstanceReadReplica(replicas, `Replica${index + 1}`, {
        ...common,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: replicaId,
        availabilityZone: props.availabilityZones[index + 1],
        securityGroups: [replicaSecurityGroup],
        // Replicas hold a copy of the primary's data: keep them when the stack goes, unless disposable.
        removalPolicy: retainedUnlessDestroyed,
        deletionProtection: props.deletionProtection ?? true,
        cloudwatchLogsExports: replicaLogs,
      });
      replica.node.addDependency(logGroups.node.findChild(`Replica${index + 1}`));
      return replica;
    });

    const proxyRole = new ServiceRole(this, 'ProxyRole', {
      description: `RDS Proxy of ${props.identifierPrefix}: reads the database credentials`,
      assumedBy: sameAccountServicePrincipal(this, 'rds.amazonaws.com'),
      // DatabaseProxy grants it the secret (and the key through Secrets Manager) itself.
    });
    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(this.instance),
      dbProxyName: `${props.identifierPrefix}-proxy`,
      secrets: [attachedSecret],
      role: proxyRole,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      // Clients authenticate with the rotated secret; IAM database authentication stays available
      // on the instances themselves for operators (see grantConnect).
      iamAuth: false,
      debugLogging: false,
    });
    this.writerEndpoint = this.proxy.endpoint;

    const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({
      functionName: `${props.identifierPrefix}-db-rotation`,
      vpc: props.vpc,
      vpcSubnets: props.rotationSubnets ?? props.subnets,
      securityGroups: [rotationSecurityGroup],
    });
    attachedSecret.addRotationSchedule('Rotation', {
      hostedRotation: rotation,
      automaticallyAfter: Duration.days(props.credentialRotationDays ?? 30),
    });
    this.instance.connections.allowDefaultPortFrom(rotationSecurityGroup, 'Credential rotation');

    const zone = new route53.PrivateHostedZone(this, 'Endpoints', {
      zoneName: props.endpointZoneName ?? 'database.internal',
      vpc: props.vpc,
      comment: `${props.identifierPrefix}: stable reader endpoint`,
    });
    const readerTargets =
      this.replicas.length > 0 ? this.replicas.map((r) => r.dbInstanceEndpointAddress) : [this.proxy.endpoint];
    const readerRecords = new Construct(zone, 'Reader');
    readerTargets.forEach((target, index) => {
      new route53.CnameRecord(readerRecords, `Target${index + 1}`, {
        zone,
        recordName: 'reader',
        domainName: target,
        ttl: Duration.seconds(5),
        weight: 1,
        setIdentifier: `reader-${index + 1}`,
      });
    });
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
   * Lets `grantee` read the credentials secret (and decrypt it through Secrets Manager). Works
   * across stacks: only the grantee's policy changes.
   */
  public grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(grantee, this.credentials, this.encryptionKey);
  }

  /** Lets `grantee` connect to the instances as `databaseUser` with IAM database authentication. */
  public grantConnect(grantee: iam.IGrantable, databaseUser: string): iam.Grant {
    return this.instance.grantConnect(grantee, databaseUser);
  }

  private validate(props: PostgresDatabaseProps, readReplicas: number, monitoringInterval: number): void {
    if (!Number.isInteger(readReplicas) || readReplicas < 0) {
      throw new ValidationError(this, `readReplicas is ${readReplicas}; give a whole number, 0 or more`);
    }
    if (readReplicas > props.availabilityZones.length - 1) {
      throw new ValidationError(
        this,
        `readReplicas is ${readReplicas} with ${props.availabilityZones.length} availability zones; each replica needs an AZ other than the primary's, so use at most ${props.availabilityZones.length - 1}`,
      );
    }
    if (readReplicas > 0 && props.multiAz === false) {
      throw new ValidationError(
        this,
        `readReplicas is ${readReplicas} on a single-AZ primary; set multiAz: true first (only a standby protects writes)`,
      );
    }
    if (!MONITORING_INTERVALS.includes(monitoringInterval)) {
      throw new ValidationError(
        this,
        `monitoringIntervalSeconds is ${monitoringInterval}; RDS accepts ${MONITORING_INTERVALS.join(', ')}`,
      );
    }
    const retention = props.backupRetentionDays ?? 7;
    if (!Number.isInteger(retention) || retention < 1 || retention > 35) {
      throw new ValidationError(
        this,
        `backupRetentionDays is ${retention}; RDS keeps 1 to 35 days (0 would turn backups off)`,
      );
    }
    if ((props.maxAllocatedStorageGiB ?? 100) <= (props.allocatedStorageGiB ?? 20)) {
      throw new ValidationError(
        this,
        `maxAllocatedStorageGiB (${props.maxAllocatedStorageGiB ?? 100}) must exceed allocatedStorageGiB (${props.allocatedStorageGiB ?? 20}) for storage to autoscale`,
      );
    }
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(props.identifierPrefix)) {
      throw new ValidationError(
        this,
        `identifierPrefix "${props.identifierPrefix}" must start with a letter and use lowercase letters, digits and hyphens (at most 41 characters)`,
      );
    }
  }
}
