import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CfnResource, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { grantSecretRead } from '../shared/grants';
import { ignoreLintChecks } from '../shared/lint';
import { ServiceRole } from '../shared/service-role';
import { bootstrapSpecProblems, bootstrapStatements, type BootstrapSpec } from './lambda/bootstrap-sql';

/** Properties of a {@link DatabaseBootstrap}. */
export interface DatabaseBootstrapProps {
  /** The VPC of the database. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets of the bootstrap functions. They reach the primary and call the Secrets Manager and
   * Lambda APIs (and the CloudFormation response URL, in S3): subnets with egress, or with
   * interface endpoints for those services.
   */
  readonly vpcSubnets: ec2.SubnetSelection;

  /**
   * The primary. The bootstrap connects to it directly (not through a proxy), is let in through
   * its security groups, and runs again when it is replaced (a new primary has no roles).
   */
  readonly databaseInstance: rds.IDatabaseInstance;

  /**
   * The master credential (the JSON of an `rds.DatabaseSecret`: `username`, `password`, ...). Only
   * the bootstrap function may read it.
   */
  readonly masterSecret: secretsmanager.ISecret;

  /**
   * The key that encrypts `masterSecret`, for `kms:Decrypt` through Secrets Manager.
   *
   * @default - `masterSecret.encryptionKey`, or none (an AWS-managed key)
   */
  readonly masterSecretKey?: kms.IKey;

  /**
   * The primary's port, for the security group rules (a number, so that rules and checks can read it).
   *
   * @default 5432
   */
  readonly port?: number;

  /** The application database, in which the schema and grants are made. */
  readonly databaseName: string;

  /**
   * The application schema; its owner is the NOLOGIN role `<schemaName>_owner`.
   *
   * @default 'app'
   */
  readonly schemaName?: string;

  /**
   * Login role for reads and writes.
   *
   * @default 'app_writer'
   */
  readonly writerRole?: string;

  /**
   * Login role for reads only.
   *
   * @default 'app_reader'
   */
  readonly readerRole?: string;

  /**
   * Make both login roles members of `rds_iam`, so that RDS accepts only IAM tokens for them.
   *
   * @default true
   */
  readonly iamAuthentication?: boolean;

  /**
   * Retention of the functions' logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Encrypts the functions' logs; must allow CloudWatch Logs.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What happens to the log groups when they leave the stack. The roles in the database are kept
   * whatever this says.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Seconds the bootstrap function may run: connecting, one transaction, and lock waits of 30 s. */
const FUNCTION_TIMEOUT = Duration.minutes(2);

/**
 * Creates and keeps up to date the application's database roles, at deploy time, with the master
 * credential, which nothing else at run time holds (see bootstrap-sql.ts for the roles and their
 * privileges).
 *
 * A CloudFormation custom resource backed by a Lambda function in the VPC, rather than an ECS
 * task: it runs synchronously within the stack operation whenever the statements change (their
 * digest is a property), so a deployment fails, and rolls back, when the roles cannot be applied;
 * it needs no image; and a function in the VPC reaches the primary directly. The aws-cdk-lib
 * Provider framework runs it: its own function answers CloudFormation (also when the bootstrap
 * function fails or times out), so the bootstrap function needs no route to the response URL.
 *
 * Create and Update apply the spec in one transaction: nothing changes unless everything does.
 * A rollback of a failed Update sends the old spec, which is applied again. Delete keeps the roles:
 * they may own privileges on data that outlives the stack (the instance is retained or
 * snapshotted), and dropping them would fail while objects depend on them or cut off a database
 * that is still in use; they have no password, so a kept role is no credential.
 */
export class DatabaseBootstrap extends Construct implements ec2.IConnectable {
  /** The bootstrap function's security group: what the database lets in. */
  public readonly connections: ec2.Connections;
  /** The function that runs the SQL. */
  public readonly function: lambda.IFunction;
  /** The custom resource; depend on it to use the roles. */
  public readonly resource: CustomResource;
  /** The spec the resource applies. */
  public readonly spec: BootstrapSpec;

  constructor(scope: Construct, id: string, props: DatabaseBootstrapProps) {
    super(scope, id);
    this.spec = {
      databaseName: props.databaseName,
      schemaName: props.schemaName ?? 'app',
      writerRole: props.writerRole ?? 'app_writer',
      readerRole: props.readerRole ?? 'app_reader',
      iamAuthentication: props.iamAuthentication ?? true,
    };
    const problems = bootstrapSpecProblems(this.spec);
    if (problems.length > 0) {
      throw new ValidationError(this, `invalid database bootstrap:\n- ${problems.join('\n- ')}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logGroup = (logId: string) =>
      new logs.LogGroup(this, logId, {
        encryptionKey: props.logEncryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy,
      });
    const vpcAccess = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole');

    // The bootstrap function: the database port to the primary, and HTTPS to Secrets Manager
    // (through NAT, or an interface endpoint where there is one).
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Database bootstrap: the primary and Secrets Manager only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API');
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    this.connections.allowTo(props.databaseInstance, ec2.Port.tcp(props.port ?? 5432), 'Database bootstrap');

    const role = new ServiceRole(this, 'Role', {
      description: 'Database bootstrap: reads the master credential and connects to the primary',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [vpcAccess],
    });
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Creates and updates the application database roles (custom resource)',
      entry: path.join(__dirname, 'lambda', 'database-bootstrap.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT,
      role,
      logGroup: logGroup('Logs'),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [securityGroup],
      environment: {
        MASTER_SECRET_ARN: props.masterSecret.secretArn,
        // Node.js 20+ runtimes no longer trust the Amazon CAs (RDS's among them) by default.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node24',
        forceDockerBundling: false,
        // pg loads its optional native binding only when asked to; the SDK is not used.
        externalModules: ['pg-native', '@aws-sdk/*'],
      },
    });
    // aws-cdk-lib makes a function wait for its role (and policy) next to the GetAtt of the role's ARN
    // (cfn-lint W3005): redundant, not wrong, and not ours to change.
    ignoreLintChecks(fn.node.defaultChild as CfnResource, ['W3005']);
    const secretKey = props.masterSecretKey ?? props.masterSecret.encryptionKey;
    if (secretKey === undefined) {
      props.masterSecret.grantRead(fn);
    } else {
      grantSecretRead(fn, props.masterSecret, secretKey);
    }
    this.function = fn;

    // The framework function: invokes the bootstrap function and answers CloudFormation's
    // pre-signed S3 URL, both over HTTPS. In the VPC too, behind its own security group.
    const frameworkSecurityGroup = new ec2.SecurityGroup(this, 'ProviderSecurityGroup', {
      vpc: props.vpc,
      description: 'Database bootstrap provider: the Lambda API and the CloudFormation response URL',
      allowAllOutbound: false,
    });
    frameworkSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Lambda API and S3 response URL');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [frameworkSecurityGroup],
      logGroup: logGroup('ProviderLogs'),
      frameworkOnEventRole: new ServiceRole(this, 'ProviderRole', {
        description: 'Database bootstrap provider: invokes the bootstrap function',
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [vpcAccess],
      }),
    });
    // aws-cdk-lib's framework function waits for its role next to the GetAtt of the role's ARN
    // (cfn-lint W3005): redundant, not wrong, and generated code that is not ours to change.
    const frameworkFunction = provider.node.tryFindChild('framework-onEvent')?.node.defaultChild;
    if (frameworkFunction instanceof CfnResource) {
      ignoreLintChecks(frameworkFunction, ['W3005']);
    }

    const statements = bootstrapStatements(this.spec);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseBootstrap',
      properties: {
        Spec: JSON.stringify(this.spec),
        Host: props.databaseInstance.dbInstanceEndpointAddress,
        Port: props.databaseInstance.dbInstanceEndpointPort,
        // Any change to the SQL (the spec, or this code) updates the resource, which runs it again.
        Digest: createHash('sha256').update(statements.join(';\n')).digest('hex'),
      },
      // Deleting the resource keeps the roles (see above); the resource itself holds nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The rules that let the function in must exist before it connects: the egress rule lives in
    // its own group, the ingress rules in the primary's groups (standalone resources in this stack).
    this.resource.node.addDependency(securityGroup, ...props.databaseInstance.connections.securityGroups);
    // So must the master secret's final value (its attachment to the instance).
    this.resource.node.addDependency(props.masterSecret);
  }
}
