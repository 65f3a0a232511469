import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImageRepository, type ImageRepositoryProps } from '../../constructs/registry';
import { EncryptionKey } from '../../constructs/security';
import { RegistryStack } from '../../stacks';
import { testStack } from '../support/test-stack';

function build(props: Omit<ImageRepositoryProps, 'encryptionKey'> = {}) {
  const stack = testStack({ id: 'Registry' });
  const encryptionKey = new EncryptionKey(stack, 'Key', { description: 'images', viaServices: ['ecr'] });
  const repository = new ImageRepository(stack, 'Repository', { ...props, encryptionKey });
  const t = Template.fromStack(stack);
  const [[logicalId, resource]] = Object.entries(t.findResources('AWS::ECR::Repository'));
  const [keyLogicalId] = Object.keys(t.findResources('AWS::KMS::Key'));
  return { repository, logicalId, resource, keyLogicalId };
}

/** The lifecycle policy's rules, parsed. */
const lifecycleRules = (resource: any) => JSON.parse(resource.Properties.LifecyclePolicy.LifecyclePolicyText).rules;

describe('ImageRepository', () => {
  test('by default: immutable tags, scan on push, the newest 50 images kept, retained with its images', () => {
    const { resource } = build();
    expect(resource.Properties).toMatchObject({
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EmptyOnDelete: false,
    });
    expect(lifecycleRules(resource)).toEqual([
      {
        rulePriority: 1,
        description: 'Keep the newest images only',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
        action: { type: 'expire' },
      },
    ]);
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('name, image count and removal policy are props; DESTROY empties the repository by default', () => {
    const { resource } = build({
      repositoryName: 'shop/dev/web',
      maxImageCount: 10,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(resource.Properties).toMatchObject({
      RepositoryName: 'shop/dev/web',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EmptyOnDelete: true,
    });
    expect(lifecycleRules(resource)[0].selection.countNumber).toBe(10);
    expect(resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('no repository policy by default; push principals may push and read images, never delete them', () => {
    expect(build().resource.Properties.RepositoryPolicyText).toBeUndefined();
    const publisher = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-image-publishing-role-123456789012-eu-west-1';
    const { resource } = build({ pushPrincipals: [new iam.ArnPrincipal(publisher)] });
    const statements = resource.Properties.RepositoryPolicyText.Statement;
    expect(statements).toEqual([
      {
        Sid: 'PushImages',
        Effect: 'Allow',
        Principal: { AWS: publisher },
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:DescribeImages',
          'ecr:BatchGetImage',
        ],
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/Delete/);
  });

  test('emptyOnDelete can be turned off with DESTROY, and needs DESTROY', () => {
    expect(
      build({ removalPolicy: RemovalPolicy.DESTROY, emptyOnDelete: false }).resource.Properties.EmptyOnDelete,
    ).toBe(false);
    expect(() => build({ emptyOnDelete: true })).toThrow(/emptyOnDelete/);
  });

  test("it is an ecr.Repository whose CfnRepository is its 'Resource' child: the logical ID is the construct's", () => {
    const { repository, logicalId } = build();
    expect(repository.node.defaultChild?.node.id).toBe('Resource');
    // The same logical ID as an ecr.Repository with this id (the pinned Registry ID, Repository22E53BBD).
    expect(logicalId).toBe('Repository22E53BBD');
  });

  test('images are encrypted with the customer-managed key passed in, never AES256 or aws/ecr', () => {
    const { resource, keyLogicalId } = build();
    expect(resource.Properties.EncryptionConfiguration).toEqual({
      EncryptionType: 'KMS',
      KmsKey: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] },
    });
  });
});

describe('RegistryStack', () => {
  const registry = () => {
    const app = new App();
    const stack = new RegistryStack(app, 'Registry', {
      env: { account: '123456789012', region: 'eu-west-1' },
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      repository: { repositoryName: 'shop/dev/web' },
      repositoryKey: {
        description: 'images',
        alias: 'alias/shop/dev/images',
        administrators: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/KeyAdministrator')],
      },
    });
    return Template.fromStack(stack);
  };

  test('the repository is encrypted with a key of its own, which admits what ECR needs and nothing else', () => {
    const t = registry();
    const [keyLogicalId] = Object.keys(t.findResources('AWS::KMS::Key'));
    t.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'shop/dev/web',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] } },
    });
    // ECR creates its grants (CreateGrant, DescribeKey) through ecr.<region> on behalf of the
    // principal creating the repository; pulls decrypt under those grants.
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AccountUsesTheKeyThroughServices',
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant']),
            Condition: {
              StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': ['ecr.eu-west-1.amazonaws.com'] },
            },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/shop/dev/images' });
  });

  test('the configured administrators administer the repository key', () => {
    registry().hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AdministratorsAdministerTheKey',
            Principal: {
              AWS: Match.arrayWith(['arn:aws:iam::123456789012:role/KeyAdministrator']),
            },
          }),
        ]),
      },
    });
  });
});
