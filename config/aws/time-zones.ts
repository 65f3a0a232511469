/**
 * IANA time zones, as Application Auto Scaling takes them for scheduled actions ("the canonical
 * names of the IANA time zones, derived from the IANA Time Zone Database (such as Etc/GMT+9 or
 * Pacific/Tahiti)").
 *
 * Source: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 * (`Timezone`). The zone names come from the ICU data Node ships (`Intl.supportedValuesOf('timeZone')`),
 * which follows the IANA database; links such as Asia/Kolkata vs Asia/Calcutta are resolved by `Intl`.
 */
export const TIME_ZONES: readonly string[] = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

/** Region/City names only: `Intl` also reads offsets such as `+01:00`, which the service does not take. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** True when `name` is an IANA zone (canonical or a link Node knows). */
export function isTimeZone(name: string): boolean {
  if (TIME_ZONES.includes(name)) {
    return true;
  }
  if (!ZONE_NAME.test(name)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
