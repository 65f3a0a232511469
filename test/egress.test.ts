import { webTaskEndpoints } from '../lib/layers/compute';
import { s3GatewayPrefixListOf } from '../config/aws/vpc';
import { committedConfigs, environmentsWhere } from './support/config';
import { ENVIRONMENTS, resources, type Resource } from './support/synth';

const configs = committedConfigs();

/**
 * The web tasks may open HTTPS to the internet: `compute.externalApiAccess`, or the network lacks an
 * interface endpoint the tasks need (or the region's S3 prefix list), so AWS calls go through NAT.
 */
const INTERNET_EGRESS = { dev: true, staging: false, prod: false } as const;

/** The egress rules of the web tasks' security group, inline and standalone. */
function webTaskEgress(environment: (typeof ENVIRONMENTS)[number]): Array<Record<string, unknown>> {
  const all = resources(environment, 'Compute');
  const [groupId, group] = all.find(
    ([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('WebServiceSecurityGroup'),
  ) as [string, Resource];
  const inline = (group.Properties?.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>;
  const standalone = all
    .filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroupEgress')
    .map(([, r]) => r.Properties ?? {})
    .filter((rule) => JSON.stringify(rule.GroupId).includes(`"${groupId}"`));
  return [...inline, ...standalone];
}

describe.each(ENVIRONMENTS)('%s web task egress: committed config', (environment) => {
  test('takes the branch this file expects', () => {
    const config = configs[environment];
    const covered = webTaskEndpoints(config).every((name) =>
      (config.network.interfaceEndpoints as readonly string[]).includes(name),
    );
    const internet = config.compute.externalApiAccess || !covered || s3GatewayPrefixListOf(config.region) === undefined;
    expect(internet).toBe(INTERNET_EGRESS[environment]);
  });

  test('only HTTPS leaves the tasks, besides the data stores they are let into', () => {
    const https = webTaskEgress(environment).filter((rule) => rule.FromPort === 443);
    expect(https.every((rule) => rule.ToPort === 443 && rule.IpProtocol === 'tcp')).toBe(true);
  });
});

describe.each(environmentsWhere(INTERNET_EGRESS, true))('%s web task egress, with the internet', (environment) => {
  test('HTTPS to any IPv4 address (AWS APIs through NAT)', () => {
    expect(webTaskEgress(environment)).toContainEqual(
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    );
  });
});

describe.each(environmentsWhere(INTERNET_EGRESS, false))('%s web task egress, AWS APIs only', (environment) => {
  const egress = webTaskEgress(environment);

  test('no rule opens the internet', () => {
    // CDK's placeholder for "no inline rule" names a single address, on no port.
    const open = egress.filter(
      (rule) => (rule.CidrIp !== undefined && rule.CidrIp !== '255.255.255.255/32') || rule.CidrIpv6 !== undefined,
    );
    expect(open).toEqual([]);
  });

  test("HTTPS to the interface endpoints' security group and the region's S3 prefix list", () => {
    const prefixList = s3GatewayPrefixListOf(configs[environment].region);
    expect(egress).toContainEqual(expect.objectContaining({ DestinationPrefixListId: prefixList, FromPort: 443 }));
    const toEndpoints = egress.filter(
      (rule) =>
        rule.FromPort === 443 &&
        String(JSON.stringify(rule.DestinationSecurityGroupId)).includes('EndpointsSecurityGroup'),
    );
    expect(toEndpoints).toHaveLength(1);
  });

  test('the tracing collector is pulled from this account, not from ECR Public', () => {
    const [, definition] = resources(environment, 'Compute', 'AWS::ECS::TaskDefinition')[0] as [string, Resource];
    const images = JSON.stringify(
      (definition.Properties?.ContainerDefinitions as Array<{ Image: unknown }>).map((c) => c.Image),
    );
    expect(images).not.toContain('public.ecr.aws');
  });
});
