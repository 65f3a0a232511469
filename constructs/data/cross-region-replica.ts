import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { sameAccountServicePrincipal } from '../shared/principals';
import { throwOnProblems } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';
import { postgresParameters } from './postgres-database';
import { crossRegionReplicaProblems } from './postgres-rules';

/** Properties of a {@link CrossRegionReplica}. */
export interface CrossRegionReplicaProps {
  /**
   * Identifier (`DBInstanceIdentifier`) of the PostgreSQL instance to replicate, in `sourceRegion`
   * of this stack's account. It must exist, with automated backups on, before this stack deploys.
   */
  readonly sourceInstanceIdentifier: string;

  /** Region of the source instance: not this stack's. */
  readonly sourceRegion: string;

  /**
   * The source's engine version (replicas run the source's): it picks the parameter group family.
   * Give the full version, e.g. `rds.PostgresEngineVersion.of('17.6', '17')`.
   */
  readonly engineVersion: rds.PostgresEngineVersion;

  /** Identifier of the replica, unique in this region and account. */
  readonly instanceIdentifier: string;

  /** Instance type of the replica: a promoted replica serves the whole load, so size it like the source. */
  readonly instanceType: ec2.InstanceType;

  /** VPC of the replica. */
  readonly vpc: ec2.IVpc;

  /** Subnets of the replica's subnet group: isolated ones, in at least two availability zones. */
  readonly subnets: ec2.SubnetSelection;

  /**
   * Key that encrypts the replica's storage. A key of this region: RDS re-encrypts what it ships
   * from the source (whose key cannot leave its region) with this one.
   */
  readonly encryptionKey: kms.IKey;

  /** Key that encrypts the replica's log groups; it must let CloudWatch Logs of this region use it. */
  readonly logEncryptionKey: kms.IKey;

  /**
   * How long the replica's PostgreSQL logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /** Ceiling of storage autoscaling, in GiB: at least the source's, or the replica fills up first. */
  readonly maxAllocatedStorageGiB: number;

  /**
   * Statements slower than this are logged, in milliseconds (as on the source).
   *
   * @default 500
   */
  readonly slowStatementThresholdMs?: number;

  /**
   * A synchronous standby of the replica in a second AZ. Off: the replica is itself the standby of
   * a region, and RDS makes a promoted instance Multi-AZ with one modification.
   *
   * @default false
   */
  readonly multiAz?: boolean;

  /**
   * Enhanced monitoring interval, in seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off.
   *
   * @default 0
   */
  readonly monitoringIntervalSeconds?: number;

  /**
   * What happens to the replica when it leaves the stack. A replica promoted by hand (a failover)
   * is a standalone database whose template still names a source, and the delete handler takes no
   * final snapshot of what its template calls a replica: keeping it is the safe default.
   * `RETAIN_ON_UPDATE_OR_DELETE` releases it when the stack's first create rolls back, so a retry can
   * reuse its identifier.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Deletion protection: what refuses a stack delete or a config change that would drop the
   * region's only copy of the database, or an instance already promoted.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * A read replica of a PostgreSQL instance of another region, for disaster recovery: RDS streams
 * the source's changes to it continuously (RPO of seconds), and promoting it makes it a writable
 * instance in minutes (`aws rds promote-read-replica`).
 *
 * - Encrypted with a key of its own region (required across regions), in a security group that
 *   admits nobody until a client is allowed through `connections`.
 * - Its own parameter group with the source's parameters (`postgresParameters`): a replica in
 *   another region cannot use the source's, and RDS's default one would accept plain-text clients.
 * - Its PostgreSQL log groups are created here, encrypted and with a retention, before the instance.
 *
 * aws-cdk-lib's `DatabaseInstanceReadReplica` names its source by the ARN of an `IDatabaseInstance`,
 * which an imported instance formats in the consumer's region (aws/aws-cdk#28998: "DBInstance not
 * found"); this construct names the source by the ARN in its own region and sets `SourceRegion`,
 * as CloudFormation requires across regions.
 */
export class CrossRegionReplica extends Construct implements ec2.IConnectable {
  /** The replica. */
  public readonly instance: rds.DatabaseInstanceReadReplica;
  /** Who may connect: nobody until allowed. */
  public readonly connections: ec2.Connections;
  /** The replica's endpoint. */
  public readonly endpoint: rds.Endpoint;
  /** The replica's identifier. */
  public readonly instanceIdentifier: string;
  /** ARN of the source instance, in its region. */
  public readonly sourceInstanceArn: string;
  /** The replica's PostgreSQL log group. */
  public readonly postgresLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwOnProblems(
      this,
      crossRegionReplicaProblems({
        sourceRegion: props.sourceRegion,
        region: stack.region,
        instanceIdentifier: props.instanceIdentifier,
        maxAllocatedStorageGiB: props.maxAllocatedStorageGiB,
        monitoringIntervalSeconds: props.monitoringIntervalSeconds ?? 0,
      }),
    );
    const engine = rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion });
    this.sourceInstanceArn = stack.formatArn({
      service: 'rds',
      region: props.sourceRegion,
      resource: 'db',
      resourceName: props.sourceInstanceIdentifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL cross-region replica: only explicitly allowed clients',
      allowAllOutbound: false,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `${props.instanceIdentifier}: TLS only, slow statements and connections logged`,
      parameters: postgresParameters(props.slowStatementThresholdMs ?? 500),
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      description: `${props.instanceIdentifier} subnets`,
    });

    // RDS would create these on the first export, unencrypted and kept forever.
    const logGroups = new Construct(this, 'Logs');
    const exported = ['postgresql', 'upgrade'];
    const [postgresLogGroup] = exported.map(
      (type) =>
        new logs.LogGroup(logGroups, type === 'postgresql' ? 'Postgresql' : 'Upgrade', {
          logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${type}`,
          encryptionKey: props.logEncryptionKey,
          retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
          // Operational logs of a copy: a retained group with this fixed name would make the next
          // create of the replica (after it was switched off, or a failed first create) fail.
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );
    this.postgresLogGroup = postgresLogGroup as logs.LogGroup;

    // The source's ARN is overridden below; this import only satisfies the L2's signature.
    const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: props.sourceInstanceIdentifier,
      instanceEndpointAddress: `${props.sourceInstanceIdentifier}.${props.sourceRegion}.rds.amazonaws.com`,
      port: 5432,
      securityGroups: [],
      engine,
    });
    const monitoringSeconds = props.monitoringIntervalSeconds ?? 0;
    const monitoringRole =
      monitoringSeconds > 0
        ? new ServiceRole(this, 'MonitoringRole', {
            description: 'RDS enhanced monitoring of a cross-region replica',
            assumedBy: sameAccountServicePrincipal(this, 'monitoring.rds.amazonaws.com'),
            managedPolicies: [
              iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
            ],
          })
        : undefined;
    this.instance = new rds.DatabaseInstanceReadReplica(this, 'Resource', {
      sourceDatabaseInstance: source,
      instanceIdentifier: props.instanceIdentifier,
      instanceType: props.instanceType,
      vpc: props.vpc,
      subnetGroup,
      parameterGroup,
      securityGroups: [securityGroup],
      storageEncryptionKey: props.encryptionKey,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      multiAz: props.multiAz ?? false,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      iamAuthentication: true,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      cloudwatchLogsExports: exported,
      monitoringInterval: monitoringSeconds > 0 ? Duration.seconds(monitoringSeconds) : undefined,
      monitoringRole,
    });
    this.instance.node.addDependency(logGroups);
    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.sourceDbInstanceIdentifier = this.sourceInstanceArn;
    cfn.sourceRegion = props.sourceRegion;
    // The replica's encryption follows from KmsKeyId; CloudFormation refuses StorageEncrypted next to
    // SourceDBInstanceIdentifier (cfn-lint F3020), and RDS's replica API has no such parameter.
    cfn.addPropertyDeletionOverride('StorageEncrypted');

    this.connections = this.instance.connections;
    this.endpoint = this.instance.instanceEndpoint;
    this.instanceIdentifier = props.instanceIdentifier;
  }

  /**
   * How far the replica is behind its source, in seconds (`ReplicaLag`, maximum per minute). A
   * replica that stops replicating (source unreachable, replication broken) publishes nothing:
   * alarm with missing data as breaching.
   */
  public metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metric('ReplicaLag', {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Free storage of the replica, in bytes (`FreeStorageSpace`, minimum per 5 minutes). */
  public metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metricFreeStorageSpace({ statistic: cloudwatch.Stats.MINIMUM, ...props });
  }
}
