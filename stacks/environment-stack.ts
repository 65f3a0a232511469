import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WEAK_REFERENCE_METADATA_KEY, weakReferenceMarkers, type TemplateJson } from '../constructs/shared';

/** Properties shared by every stack of an environment. */
export interface EnvironmentStackProps extends StackProps {
  /** The environment's availability zones, from config: synthesis never looks them up. */
  readonly availabilityZones: string[];
}

/**
 * Base of every layer stack.
 *
 * It answers `availabilityZones` from config, because the default getter of an environment-bound
 * stack is a context lookup that needs AWS credentials, and `Vpc` checks its explicit zones
 * against it.
 *
 * It also makes weak cross-stack references safe to change. A consumer reads a producer's output
 * with `Fn::GetStackOutput`, which CloudFormation resolves only when the consumer is created or
 * updated, and `cdk deploy` skips a consumer whose template did not change: a replaced producer
 * resource would leave the consumer pointing at the old one. So the consumer's template carries,
 * under `Metadata.WeakReferenceInputs`, a digest per output it reads of everything that output's
 * value is computed from (see `outputMarker`). When such an input changes, the consumer's template
 * changes too, `cdk deploy` updates it and CloudFormation resolves the reference again; when
 * nothing it reads changed, its template stays byte-identical.
 */
export class EnvironmentStack extends Stack {
  private readonly configuredAvailabilityZones: string[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    this.configuredAvailabilityZones = [...props.availabilityZones];
  }

  public override get availabilityZones(): string[] {
    return this.configuredAvailabilityZones;
  }

  protected override _toCloudFormation(): TemplateJson {
    const template = super._toCloudFormation() as TemplateJson;
    const { markers, unresolved } = weakReferenceMarkers(template, this.region, (key) => {
      const producer = this.node.root.node
        .findAll()
        .find((node): node is Stack => Stack.isStack(node) && `${node.region}/${node.stackName}` === key);
      // Producers are other stacks of the app, rendered the way CDK renders them for synthesis.
      return producer === undefined || producer === this
        ? undefined
        : ((producer as EnvironmentStack)._toCloudFormation() as TemplateJson);
    });
    if (unresolved.length > 0) {
      throw new Error(
        `${this.node.path}: Fn::GetStackOutput reads ${unresolved.join(', ')}, which no stack of this app ` +
          'produces, so the consumer cannot be kept in step with it. Reference a stack of this app instead.',
      );
    }
    if (Object.keys(markers).length === 0) return template;
    this.addMetadata(WEAK_REFERENCE_METADATA_KEY, markers);
    return {
      ...template,
      Metadata: { ...(template.Metadata as object | undefined), [WEAK_REFERENCE_METADATA_KEY]: markers },
    };
  }
}
