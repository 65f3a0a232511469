import { Stack } from 'aws-cdk-lib';
import { environmentConfigSchema } from '../../config/schema';
import { prod } from '../../config/prod';
import { keyAdministratorsOf } from '../../lib/layers';

/** Problems zod reports for prod with `security` replaced. */
function problems(security: unknown): string[] {
  const result = environmentConfigSchema.safeParse({ ...prod, security });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('security.keyAdministrators', () => {
  test('role/<name> in the account, or a full ARN in the account', () => {
    expect(problems({ keyAdministrators: ['role/KeyAdministrator', 'role/ops/Keys', 'user/alice'] })).toEqual([]);
    expect(problems({ keyAdministrators: [`arn:aws:iam::${prod.account}:role/KeyAdministrator`] })).toEqual([]);
    expect(problems(undefined)).toEqual([]);
  });

  test("another account's role, a session or a group are refused, each with its index", () => {
    expect(
      problems({
        keyAdministrators: [
          'arn:aws:iam::999999999999:role/KeyAdministrator',
          `arn:aws:sts::${prod.account}:assumed-role/Admin/me`,
          'group/admins',
        ],
      }),
    ).toEqual([
      'security.keyAdministrators.1: must be an IAM role or user of the environment account: role/<name> (or user/<name>), or its full ARN',
      'security.keyAdministrators.2: must be an IAM role or user of the environment account: role/<name> (or user/<name>), or its full ARN',
      `security.keyAdministrators.0: "arn:aws:iam::999999999999:role/KeyAdministrator" is in account 999999999999, not the environment's account ${prod.account}`,
    ]);
  });

  test('the layers map entries to principals of the environment account; none without the section', () => {
    const config = environmentConfigSchema.parse({
      ...prod,
      security: { keyAdministrators: ['role/KeyAdministrator', `arn:aws:iam::${prod.account}:user/alice`] },
    });
    const stack = new Stack();
    expect(keyAdministratorsOf(config).map((p) => stack.resolve(p.policyFragment.principalJson))).toEqual([
      {
        AWS: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${prod.account}:role/KeyAdministrator`]] }],
      },
      { AWS: [`arn:aws:iam::${prod.account}:user/alice`] },
    ]);
    expect(keyAdministratorsOf(environmentConfigSchema.parse({ ...prod, security: undefined }))).toEqual([]);
  });
});
