import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ImageRepository, type ImageRepositoryProps } from '../../constructs/registry';
import { testStack } from '../support/test-stack';

function build(props?: ImageRepositoryProps) {
  const stack = testStack({ id: 'Registry' });
  const repository = new ImageRepository(stack, 'Repository', props);
  const [[logicalId, resource]] = Object.entries(Template.fromStack(stack).findResources('AWS::ECR::Repository'));
  return { repository, logicalId, resource };
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
});
