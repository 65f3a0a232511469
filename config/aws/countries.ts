/**
 * ISO 3166-1 alpha-2 country codes, the codes CloudFront geo restriction and AWS WAF geo match
 * statements take. Officially assigned codes only (249): reserved ones such as UK, EU or EL are
 * rejected by both services.
 *
 * Source: https://www.iso.org/iso-3166-country-codes.html (Online Browsing Platform, officially
 * assigned alpha-2 codes); CloudFront: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/georestrictions.html,
 * WAF: https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-geo-match.html.
 */
export const COUNTRY_CODES: readonly string[] = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
`
  .trim()
  .split(/\s+/);

/** Codes people write that ISO reserves for another use, with the assigned code they mean. */
export const COUNTRY_CODE_MISTAKES: Readonly<Record<string, string>> = {
  UK: 'GB',
  EL: 'GR',
};

/** Why `code` is not a country code the services accept, or undefined when it is one. */
export function countryCodeProblem(code: string): string | undefined {
  if (COUNTRY_CODES.includes(code)) {
    return undefined;
  }
  const meant = COUNTRY_CODE_MISTAKES[code.toUpperCase()];
  if (meant !== undefined) {
    return `"${code}" is not an ISO 3166-1 alpha-2 country code; use ${meant}`;
  }
  if (COUNTRY_CODES.includes(code.toUpperCase())) {
    return `"${code}" must be upper case: ${code.toUpperCase()}`;
  }
  return `"${code}" is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US)`;
}
