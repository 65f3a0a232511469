import { Duration, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { CLOUDFRONT_REGION } from './cloudfront-region';

/** Properties of a {@link WebDistribution}. */
export interface WebDistributionProps {
  /** Short lowercase name, e.g. `shop-prod`: prefix of the names and comments of what the construct creates. */
  readonly name: string;
  /**
   * Comment of the distribution, shown in the CloudFront console (at most 128 characters).
   *
   * @default - `name`
   */
  readonly comment?: string;
  /** The internal load balancer serving the app, reached through a CloudFront VPC origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Host name the origin's certificate carries (e.g. `origin.example.com`). With it CloudFront
   * speaks HTTPS to the origin, sends this name as SNI and Host, and validates the load balancer's
   * certificate against it; without it, HTTP inside the VPC to the load balancer's own DNS name.
   * The name needs no DNS record: see the class.
   *
   * @default - HTTP to the origin
   */
  readonly originTlsDomainName?: string;
  /** ARN of a CLOUDFRONT-scope web ACL. */
  readonly webAclArn: string;
  /**
   * Certificate (in {@link CLOUDFRONT_REGION}) for `domainNames`.
   *
   * @default - the distribution's own `*.cloudfront.net` name
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Names the distribution answers to; needs `certificate`.
   *
   * @default - none
   */
  readonly domainNames?: string[];
  /**
   * Edge locations used.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * Countries served or refused.
   *
   * @default - no restriction
   */
  readonly geoRestriction?: cloudfront.GeoRestriction;
  /**
   * Region of the Origin Shield cache in front of the origin.
   *
   * @default - no Origin Shield
   */
  readonly originShieldRegion?: string;
  /** The Content-Security-Policy header sent with every response. */
  readonly contentSecurityPolicy: string;
  /**
   * Longest time CloudFront keeps a server-rendered or pre-rendered page, whatever the origin says:
   * Next.js marks pre-rendered pages `s-maxage` of a year, and their assets disappear with the next
   * deployment.
   *
   * @default Duration.minutes(5)
   */
  readonly pageMaxTtl?: Duration;
  /**
   * Bucket receiving standard logs (v2, delivered by CloudWatch Logs as JSON). The delivery source is
   * created in the stack's region, which CloudFront requires to be {@link CLOUDFRONT_REGION}.
   *
   * @default - no standard logs
   */
  readonly logsBucket?: s3.IBucket;
}

const ONE_YEAR = Duration.days(365);

/**
 * The CloudFront distribution in front of the Next.js app:
 *
 * - the internal ALB as a VPC origin (no internet-facing path to the app), HTTPS to it when the ALB
 *   has a certificate; Origin Shield optional;
 * - behaviours for Next.js: `/_next/static/*` cached a year and compressed, `/_next/image*` cached by
 *   its query string, `/api/*` never cached with the viewer's headers, cookies and query forwarded,
 *   and pages following the origin's Cache-Control;
 * - HTTP/2 and HTTP/3, TLS 1.2 (2021 policy) for viewers with a custom domain, a web ACL, a
 *   response-headers policy (HSTS, nosniff, frame options, referrer policy, CSP), standard logs.
 *
 * Its metrics (`metricXxx`) are CloudFront's, which CloudWatch keeps in {@link CLOUDFRONT_REGION}.
 *
 * `originTlsDomainName` gets no DNS record, on purpose. A VPC origin is reached through the
 * `AWS::CloudFront::VpcOrigin`, which names the load balancer by ARN: CloudFront connects from
 * its service-managed network interfaces in the VPC to the load balancer itself, and does not
 * resolve the origin's `DomainName` to find it. The domain name is what CloudFront puts in the
 * TLS SNI and the Host header (the viewer's Host is not forwarded) and what it checks the origin's
 * certificate against: the origin domain name, or the Host header when forwarded, must match a name
 * on the certificate (CloudFront Developer Guide, "Require HTTPS for communication between
 * CloudFront and your custom origin"; VPC origins: "Restrict access with VPC origins"). So it must
 * be a name on the load balancer's certificate, which the load balancer's own `*.elb.amazonaws.com`
 * name cannot be. Should CloudFront ever answer 502 with a DNS failure for this origin, an alias record
 * of this name to the load balancer is the fix; the environment's Route 53 health check of
 * `/api/health` through the distribution would show it at the first deployment.
 */
export class WebDistribution extends Construct {
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The distribution's `*.cloudfront.net` name. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: WebDistributionProps) {
    super(scope, id);
    if ((props.domainNames?.length ?? 0) > 0 && props.certificate === undefined) {
      throw new ValidationError(
        this,
        `domainNames ${JSON.stringify(props.domainNames)} need a certificate in ${CLOUDFRONT_REGION}`,
      );
    }

    const origin = origins.VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      vpcOriginName: `${props.name}-alb`,
      protocolPolicy: props.originTlsDomainName
        ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY
        : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      domainName: props.originTlsDomainName,
      originShieldEnabled: props.originShieldRegion !== undefined,
      originShieldRegion: props.originShieldRegion,
      readTimeout: Duration.seconds(30),
    });

    const policies = new Construct(this, 'Policies');
    const staticAssets = new cloudfront.CachePolicy(policies, 'StaticAssets', {
      comment: `${props.name}: content-hashed Next.js assets, a year`,
      minTtl: ONE_YEAR,
      defaultTtl: ONE_YEAR,
      maxTtl: ONE_YEAR,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const images = new cloudfront.CachePolicy(policies, 'Images', {
      comment: `${props.name}: optimized images, keyed by url, w and q`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: ONE_YEAR,
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList('url', 'w', 'q'),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Accept'),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const pages = new cloudfront.CachePolicy(policies, 'Pages', {
      comment: `${props.name}: pages, as the origin's Cache-Control says, at most pageMaxTtl`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: props.pageMaxTtl ?? Duration.minutes(5),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      // Next.js varies pages on these for client-side navigation and prefetching.
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(
        'RSC',
        'Next-Router-Prefetch',
        'Next-Router-State-Tree',
        'Next-Url',
      ),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(policies, 'SecurityHeaders', {
      comment: `${props.name}: security headers on every response`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });
    const forwardViewer = cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER;
    // The origin sees its own host name (the ALB's certificate must match); pass the viewer's on, so
    // the app builds absolute URLs and checks Server Action origins against the public name.
    const forwardedHost = new cloudfront.Function(this, 'ForwardedHost', {
      comment: `${props.name}: viewer Host into X-Forwarded-Host`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          "  if (request.headers.host) { request.headers['x-forwarded-host'] = { value: request.headers.host.value }; }",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });
    const viewerHost = [{ function: forwardedHost, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];

    const behavior = (cachePolicy: cloudfront.ICachePolicy, extra: Partial<cloudfront.BehaviorOptions> = {}) => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy,
      responseHeadersPolicy: headers,
      compress: true,
      ...extra,
    });

    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: props.comment ?? props.name,
      defaultBehavior: behavior(pages, {
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        originRequestPolicy: forwardViewer,
        functionAssociations: viewerHost,
      }),
      additionalBehaviors: {
        '/_next/static/*': behavior(staticAssets),
        '/_next/image*': behavior(images),
        '/api/*': behavior(cloudfront.CachePolicy.CACHING_DISABLED, {
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          originRequestPolicy: forwardViewer,
          functionAssociations: viewerHost,
        }),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      geoRestriction: props.geoRestriction,
      webAclId: props.webAclArn,
      certificate: props.certificate,
      domainNames: props.domainNames,
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      sslSupportMethod: props.certificate ? cloudfront.SSLMethod.SNI : undefined,
    });
    this.domainName = this.distribution.distributionDomainName;

    if (props.logsBucket !== undefined) {
      this.deliverStandardLogs(props.name, props.logsBucket);
    }
  }

  /**
   * Metric for the total number of viewer requests received by CloudFront, for all HTTP methods and for
   * both HTTP and HTTPS requests.
   *
   * @default - sum over 5 minutes
   */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.distribution.metricRequests(this.cloudFrontMetricOptions(props));
  }

  /**
   * Metric for the percentage of all viewer requests for which the response's HTTP status code is 4xx.
   *
   * @default - average over 5 minutes
   */
  public metric4xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.distribution.metric4xxErrorRate(this.cloudFrontMetricOptions(props));
  }

  /**
   * Metric for the percentage of all viewer requests for which the response's HTTP status code is 5xx.
   *
   * @default - average over 5 minutes
   */
  public metric5xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.distribution.metric5xxErrorRate(this.cloudFrontMetricOptions(props));
  }

  /**
   * Metric for the time from when CloudFront receives a request to when it starts sending the response
   * to the network, for requests served from the origin rather than the cache (time to first byte), in
   * milliseconds.
   *
   * CloudFront publishes this metric only for a distribution with additional metrics enabled: a
   * CloudFront monitoring subscription (`cloudfront.CfnMonitoringSubscription`, charged per
   * distribution). This construct does not create one; without it the metric has no data.
   *
   * @default - average over 5 minutes
   */
  public metricOriginLatency(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    // Distribution.metricOriginLatency throws unless the Distribution itself publishes additional
    // metrics; a subscription made outside this construct would publish them too.
    return this.distribution.metric('OriginLatency', this.cloudFrontMetricOptions(props));
  }

  /**
   * CloudFront publishes its metrics in {@link CLOUDFRONT_REGION} with the dimensions `DistributionId` and
   * `Region` = `Global`; aws-cdk-lib's `Distribution.metric` leaves out both (aws/aws-cdk#19245).
   */
  private cloudFrontMetricOptions(props?: cloudwatch.MetricOptions): cloudwatch.MetricOptions {
    return {
      region: CLOUDFRONT_REGION,
      ...props,
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global', ...props?.dimensionsMap },
    };
  }

  /**
   * Standard logging v2: CloudWatch Logs delivers JSON logs to the bucket with a bucket policy, where
   * legacy logging would need bucket ACLs (the project's buckets enforce bucket-owner ownership).
   */
  private deliverStandardLogs(name: string, bucket: s3.IBucket): void {
    const stack = Stack.of(this);
    const group = new Construct(this, 'StandardLogs');
    const source = new logs.CfnDeliverySource(group, 'Source', {
      name: `${name}-cdn`,
      logType: 'ACCESS_LOGS',
      resourceArn: this.distribution.distributionArn,
    });
    const destination = new logs.CfnDeliveryDestination(group, 'Destination', {
      name: `${name}-cdn-s3`,
      destinationResourceArn: `${bucket.bucketArn}/cloudfront`,
      outputFormat: 'json',
    });
    new logs.CfnDelivery(group, 'Resource', {
      deliverySourceName: source.ref,
      deliveryDestinationArn: destination.attrArn,
    });
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontStandardLogsDelivery',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('cloudfront/*')],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 's3:x-amz-acl': 'bucket-owner-full-control' },
          // The delivery source above, in this stack's region.
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:delivery-source:*`,
          },
        },
      }),
    );
  }
}
