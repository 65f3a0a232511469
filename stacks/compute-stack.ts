import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
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

    // Key-less views of the data layer's secrets: ECS's own grant would name the execution role in
    // the data layer's key policies, a reference back into this stack (a dependency cycle).
    const databaseCredentials = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'DatabaseCredentials',
      data.database.credentials.secretArn,
    );
    const cacheCredentials = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'CacheCredentials',
      data.cache.credentials.secretArn,
    );

    const web = new WebService(this, 'Web', {
      ...props.web,
      image: containerImage(props.image, ecr.Repository.fromRepositoryName(this, 'Repository', props.repositoryName)),
      logEncryptionKey: data.keys.logs,
      accessLogsBucket: data.logsBucket,
      certificate,
      environment: {
        DB_WRITER_HOST: data.database.writerEndpoint,
        DB_READER_HOST: data.database.readerEndpoint,
        DB_PORT: String(data.database.port),
        DB_NAME: data.database.databaseName,
        CACHE_HOST: data.cache.endpoint,
        CACHE_PORT: String(data.cache.port),
        CACHE_CLUSTER_MODE: String(data.cache.clusterMode),
        UPLOADS_BUCKET: data.uploadsBucket.bucketName,
      },
      secrets: {
        DB_USER: ecs.Secret.fromSecretsManager(databaseCredentials, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(databaseCredentials, 'password'),
        CACHE_USER: ecs.Secret.fromSecretsManager(cacheCredentials, 'username'),
        CACHE_PASSWORD: ecs.Secret.fromSecretsManager(cacheCredentials, 'password'),
      },
    });
    this.web = web;

    // ECS reads the secrets with the execution role; the data layer's grants keep the key policies
    // free of this stack's roles (see grantSecretRead).
    const executionRole = web.taskDefinition.obtainExecutionRole();
    data.database.grantReadCredentials(executionRole);
    data.cache.grantReadCredentials(executionRole);

    web.allowHttpFrom(ec2.Peer.prefixList(props.cdnOriginPrefixListId), 'CloudFront VPC origin');
    data.database.allowFrom(web, 'Web tasks');
    data.cache.allowFrom(web, 'Web tasks');
    data.uploadsBucket.grantObjectReadWrite(web.taskDefinition.taskRole);
  }
}
