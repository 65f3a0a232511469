/**
 * Regions and availability zones, as AWS publishes them. Pure data: the schema checks `region`,
 * `drRegion`, `edge.originShieldRegion` and `availabilityZones` against it before anything is built.
 *
 * Source: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html and
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 * (commercial partition `aws`, as of early 2026). Zone *names* map to different physical zones in
 * each account, but the names listed here exist in every account, except in us-west-1, where each
 * account sees two of the three ({@link ZONES_PER_ACCOUNT}). ap-northeast-1b, closed to accounts
 * created since 2012, is left out. `aws ec2 describe-availability-zones --region <region>` is the
 * final word for one account.
 *
 * A region missing here (a new one, or another partition) is rejected: add it, with its zones, in
 * the same change that moves an environment there.
 */
/** The partition of every region listed here: ARNs built from config (not from a stack) use it. */
export const PARTITION = 'aws';

export const AVAILABILITY_ZONE_LETTERS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['a', 'b', 'c', 'd', 'e', 'f'],
  'us-east-2': ['a', 'b', 'c'],
  'us-west-1': ['a', 'b', 'c'],
  'us-west-2': ['a', 'b', 'c', 'd'],
  'ca-central-1': ['a', 'b', 'd'],
  'ca-west-1': ['a', 'b', 'c'],
  'mx-central-1': ['a', 'b', 'c'],
  'sa-east-1': ['a', 'b', 'c'],
  'eu-west-1': ['a', 'b', 'c'],
  'eu-west-2': ['a', 'b', 'c'],
  'eu-west-3': ['a', 'b', 'c'],
  'eu-central-1': ['a', 'b', 'c'],
  'eu-central-2': ['a', 'b', 'c'],
  'eu-north-1': ['a', 'b', 'c'],
  'eu-south-1': ['a', 'b', 'c'],
  'eu-south-2': ['a', 'b', 'c'],
  'il-central-1': ['a', 'b', 'c'],
  'me-south-1': ['a', 'b', 'c'],
  'me-central-1': ['a', 'b', 'c'],
  'af-south-1': ['a', 'b', 'c'],
  'ap-east-1': ['a', 'b', 'c'],
  'ap-east-2': ['a', 'b', 'c'],
  'ap-south-1': ['a', 'b', 'c'],
  'ap-south-2': ['a', 'b', 'c'],
  'ap-northeast-1': ['a', 'c', 'd'],
  'ap-northeast-2': ['a', 'b', 'c', 'd'],
  'ap-northeast-3': ['a', 'b', 'c'],
  'ap-southeast-1': ['a', 'b', 'c'],
  'ap-southeast-2': ['a', 'b', 'c'],
  'ap-southeast-3': ['a', 'b', 'c'],
  'ap-southeast-4': ['a', 'b', 'c'],
  'ap-southeast-5': ['a', 'b', 'c'],
  'ap-southeast-6': ['a', 'b', 'c'],
  'ap-southeast-7': ['a', 'b', 'c'],
};

/** Regions where an account sees fewer zones than the table lists. */
export const ZONES_PER_ACCOUNT: Readonly<Record<string, number>> = { 'us-west-1': 2 };

/** How many zones one account can use in `region`. */
export function zonesPerAccount(region: string): number {
  return ZONES_PER_ACCOUNT[region] ?? AVAILABILITY_ZONE_LETTERS[region]?.length ?? 0;
}

/** The regions of {@link AVAILABILITY_ZONE_LETTERS}, in table order. */
export const REGIONS: readonly string[] = Object.keys(AVAILABILITY_ZONE_LETTERS);

/** True when `region` is a region of the table. */
export function isKnownRegion(region: string): boolean {
  return Object.hasOwn(AVAILABILITY_ZONE_LETTERS, region);
}

/** The zone names of `region` (`eu-west-1a`, ...); empty for a region outside the table. */
export function availabilityZonesOf(region: string): string[] {
  return isKnownRegion(region) ? (AVAILABILITY_ZONE_LETTERS[region] ?? []).map((letter) => `${region}${letter}`) : [];
}

/** The region a zone name belongs to, when it is a zone of the table: `eu-west-1a` -> `eu-west-1`. */
export function regionOfZone(zone: string): string | undefined {
  const region = zone.slice(0, -1);
  return isKnownRegion(region) && availabilityZonesOf(region).includes(zone) ? region : undefined;
}
