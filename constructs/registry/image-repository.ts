import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Properties of an {@link ImageRepository}. */
export interface ImageRepositoryProps {
  /**
   * Name of the repository, e.g. `shop/prod/web`.
   *
   * @default - a name CloudFormation generates
   */
  readonly repositoryName?: string;
  /**
   * Customer-managed key encrypting the images, in the repository's region. ECR creates grants on it
   * when the repository is created, through `ecr.<region>.amazonaws.com`, on behalf of the principal
   * creating the repository: the key policy must let this account's principals call
   * `kms:CreateGrant` and `kms:DescribeKey` through ECR (an `EncryptionKey` with `viaServices:
   * ['ecr']` does). Pulls need no permission on the key: ECR and its S3 storage decrypt the layers
   * under those grants. ECR sets encryption at creation only: changing the key replaces the repository.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * Images kept: when there are more, the oldest expire.
   *
   * @default 50
   */
  readonly maxImageCount?: number;
  /**
   * What happens to the repository when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Delete the repository's images when the repository is deleted (else CloudFormation cannot delete a
   * repository that holds images). Needs `removalPolicy` `DESTROY`.
   *
   * @default - true when `removalPolicy` is `DESTROY`, else false
   */
  readonly emptyOnDelete?: boolean;

  /**
   * Principals that push images here through the repository's policy, without an identity policy of
   * their own: e.g. the CDK bootstrap image-publishing role a CI job assumes, whose own policy
   * covers only the CDK assets repository. They may push and read images, never delete them.
   *
   * @default - none: pushing needs an identity policy
   */
  readonly pushPrincipals?: readonly iam.IPrincipal[];
}

/** What pushing an image (and checking whether a tag exists first) calls on the repository. */
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:DescribeImages',
  'ecr:BatchGetImage',
];

/** Images kept by default. */
const DEFAULT_MAX_IMAGE_COUNT = 50;

/**
 * An ECR repository for a service's images, secure by default: images are encrypted with a
 * customer-managed key, tags are immutable (a tag names one image for good, so a deployment runs
 * what was tested), every pushed image is scanned for vulnerabilities, and only the newest
 * `maxImageCount` images are kept.
 *
 * It is an `ecr.Repository` (grants, `repositoryUri`, `addLifecycleRule` and the rest), so its
 * `CfnRepository` is the child `Resource`, as in `ecr.Repository`.
 */
export class ImageRepository extends ecr.Repository {
  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    super(scope, id, {
      repositoryName: props.repositoryName,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [
        { description: 'Keep the newest images only', maxImageCount: props.maxImageCount ?? DEFAULT_MAX_IMAGE_COUNT },
      ],
      removalPolicy,
      emptyOnDelete: props.emptyOnDelete ?? removalPolicy === RemovalPolicy.DESTROY,
    });
    const pushers = props.pushPrincipals ?? [];
    if (pushers.length > 0) {
      this.addToResourcePolicy(
        new iam.PolicyStatement({ sid: 'PushImages', principals: [...pushers], actions: PUSH_ACTIONS }),
      );
    }
  }
}
