import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import {
  WebService,
  containerImage,
  type IWebService,
  type ImageSource,
  type WebServiceProps,
} from '../constructs/compute';
import type { DataServices } from '../constructs/data';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';
import { SavedQueries } from '../constructs/observability';

/** The load balancer's own certificate, validated in the environment's hosted zone. */
export interface OriginCertificateProps {
  /** Name on the certificate, e.g. `origin.learning-assistant.example.com`. */
  readonly domainName: string;
  /** Zone that validates it. */
  readonly zoneName: string;
  readonly hostedZoneId: string;
}

/** Properties of a {@link ComputeStack}. */
export interface ComputeStackProps extends EnvironmentStackProps {
  /**
   * Name of the environment's image repository (the registry stack's, deployed first). Referenced
   * by name: the image URI then needs no value from the registry stack at deploy time.
   */
  readonly repositoryName: string;
  /** Where the running image comes from. */
  readonly image: ImageSource;
  /** The data layer the application uses. */
  readonly data: DataServices;
  /**
   * The CloudFront origin-facing managed prefix list of the region: the only callers the load
   * balancer admits (through the CDN's VPC origin).
   */
  readonly cdnOriginPrefixListId: string;
  /** The service, without what this stack wires in. */
  readonly web: Omit<
    WebServiceProps,
    'image' | 'environment' | 'secrets' | 'logEncryptionKey' | 'accessLogsBucket' | 'certificate'
  >;
  /**
   * HTTPS on the load balancer.
   *
   * @default - HTTP inside the VPC
   */
  readonly originCertificate?: OriginCertificateProps;
}

/** The compute layer of one environment: the web service. */
export class ComputeStack extends EnvironmentStack {
  /**
   * The web service, as the other layers see it: its load balancer, connections and metrics. The
   * task definition and roles stay inside this stack, which wires them to the data layer.
   */
  public readonly web: IWebService;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { data } = props;

    const certificate =
      props.originCertificate &&
      new acm.Certificate(this, 'Certificate', {
        domainName: props.originCertificate.domainName,
        validation: acm.CertificateValidation.fromDns(
          route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            zoneName: props.originCertificate.zoneName,
            hostedZoneId: props.originCertificate.hostedZoneId,
          }),
        ),
      });

    const web = new WebService(this, 'Web', {
      ...props.web,
      image: containerImage(props.image, ecr.Repository.fromRepositoryName(this, 'Repository', props.repositoryName)),
      logEncryptionKey: data.keys.logs,
      accessLogsBucket: data.logsBucket,
      certificate,
      // No secrets: the application authenticates to PostgreSQL and the cache with short-lived IAM
      // tokens signed with the task role, so no password lives in a task, and no rotation can
      // leave running tasks with a stale one. DB_READER_HOST is a CNAME: the app signs its token
      // for, and connects to, the RDS host name it resolves to (see readerEndpoint).
      environment: {
        DB_AUTH: 'iam',
        DB_WRITER_HOST: data.database.writerEndpoint,
        DB_READER_HOST: data.database.readerEndpoint,
        DB_PORT: String(data.database.port),
        DB_NAME: data.database.databaseName,
        DB_WRITE_USER: data.database.writerUser,
        DB_READ_USER: data.database.readerUser,
        CACHE_AUTH: 'iam',
        CACHE_HOST: data.cache.endpoint,
        CACHE_PORT: String(data.cache.port),
        CACHE_USER: data.cache.username,
        // The cache's IAM token is signed for the replication group ID, not for the host name.
        CACHE_REPLICATION_GROUP_ID: data.cache.replicationGroupId,
        CACHE_CLUSTER_MODE: String(data.cache.clusterMode),
        UPLOADS_BUCKET: data.uploadsBucket.bucketName,
      },
    });
    this.web = web;
    // Queries sit with their log group: a query definition reads log groups of its own region, and
    // here it needs no cross-stack reference.
    new SavedQueries(this, 'Queries', { folder: props.web.name, appLogGroup: web.logGroup });

    // The task role may log in as the application users only: never as the master user, and the
    // execution role gets nothing of the data layer (it injects no secret).
    const taskRole = web.taskDefinition.taskRole;
    data.database.grantConnectAsWriter(taskRole);
    data.database.grantConnectAsReader(taskRole);
    data.cache.grantConnect(taskRole);

    web.allowHttpFrom(ec2.Peer.prefixList(props.cdnOriginPrefixListId), 'CloudFront VPC origin');
    data.database.allowFrom(web, 'Web tasks');
    data.cache.allowFrom(web, 'Web tasks');
    data.uploadsBucket.grantObjectReadWrite(taskRole);
  }
}
