/**
 * Content classification for the sandbox's Purview scanner: pattern detectors with validators
 * (Luhn for card numbers, ISO 7064 mod-97 for IBANs, SSA rules for social security numbers, real
 * address ranges for IPs) applied to a sample of a file, under Purview's system classification
 * names.
 *
 * Rule (the sandbox's stand-in for Purview's "minimum match threshold"): a classification applies
 * to a sample when at least MIN_MATCHES distinct values pass its validator AND at least
 * MATCH_THRESHOLD of the values that look like candidates pass it. So a column of card numbers is
 * classified, a column of random 16-digit numbers (about 1 in 10 passes Luhn) is not, and prose
 * with no candidates is classified as nothing.
 */
import * as net from 'node:net';

/** Purview's system classification names used by the sandbox scanner. */
export const CLASSIFICATION = {
  email: 'MICROSOFT.PERSONAL.EMAIL',
  creditCard: 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER',
  /** Purview's "International Banking Account Number (IBAN)" system classification. */
  iban: 'MICROSOFT.FINANCIAL.INTERNATIONAL_BANKING_ACCOUNT_NUMBER',
  usPhone: 'MICROSOFT.PERSONAL.US.PHONE_NUMBER',
  euPhone: 'MICROSOFT.PERSONAL.EU.PHONE_NUMBER',
  ipAddress: 'MICROSOFT.PERSONAL.IPADDRESS',
  usSsn: 'MICROSOFT.GOVERNMENT.US.SOCIAL_SECURITY_NUMBER',
} as const;

/** Bytes of each file the scanner samples. */
export const SAMPLE_BYTES = 64 * 1024;
/** Distinct valid values needed before a classification applies. */
export const MIN_MATCHES = 2;
/** Share of candidates that must validate (Purview applies system classifications at 60 %). */
export const MATCH_THRESHOLD = 0.6;

export interface Detector {
  classification: string;
  /** Finds candidate strings (may include false candidates the validator rejects). */
  candidates(text: string): string[];
  /** True when a candidate is a real value of this kind. */
  validate(candidate: string): boolean;
}

export interface DetectorResult {
  classification: string;
  candidates: number;
  valid: number;
  distinctValid: number;
  applies: boolean;
}

function all(re: RegExp, text: string, group = 0): string[] {
  const out: string[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[group] ?? m[0]);
    if (m[0].length === 0) {
      re.lastIndex++;
    }
  }
  return out;
}

// ---------------------------------------------------------------- validators (exported for tests)

/** Luhn (mod 10) checksum over the digits of `s`. */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  if (digits.length === 0) {
    return false;
  }
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners). */
export function cardNetwork(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if ((p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) && n >= 14 && n <= 19) return 'diners';
  return undefined;
}

export function creditCardValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (!/^\d{13,19}$/.test(digits) || /^(\d)\1+$/.test(digits)) {
    return false;
  }
  // Separators, when used, must be consistent (4-4-4-4, 4-6-5 for Amex, ...).
  const seps = candidate.match(/[ -]/g);
  if (seps && new Set(seps).size > 1) {
    return false;
  }
  return cardNetwork(digits) !== undefined && luhnValid(digits);
}

/** IBAN lengths by country (ISO 13616 registry, the countries Purview's IBAN type covers). */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20, LU: 20, LV: 21,
  MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TL: 23, TN: 24, TR: 26, VG: 24, XK: 20,
};

/** ISO 7064 MOD 97-10 over the rearranged IBAN (country + check digits moved to the end, letters as 10..35). */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return false;
  }
  const expected = IBAN_LENGTH[iban.slice(0, 2)];
  if (expected === undefined || iban.length !== expected) {
    return false;
  }
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const d of value) {
      remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
    }
  }
  return remainder === 1;
}

/** Well-known sample SSNs that never identify anyone (the Woolworth wallet card, advertising samples). */
const SAMPLE_SSNS = new Set(['078-05-1120', '219-09-9999', '123-45-6789', '111-11-1111', '000-00-0000']);

/** SSA rules: area 001-899 except 666, group 01-99, serial 0001-9999. */
export function ssnValid(candidate: string): boolean {
  const m = /^(\d{3})[- ](\d{2})[- ](\d{4})$/.exec(candidate);
  if (!m || SAMPLE_SSNS.has(`${m[1]}-${m[2]}-${m[3]}`)) {
    return false;
  }
  const area = Number(m[1]);
  return area !== 0 && area !== 666 && area < 900 && m[2] !== '00' && m[3] !== '0000';
}

export function emailValid(candidate: string): boolean {
  const at = candidate.lastIndexOf('@');
  if (at <= 0 || at > 64) {
    return false;
  }
  const local = candidate.slice(0, at);
  const domain = candidate.slice(at + 1);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return false;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) {
    return false;
  }
  return /^[A-Za-z]{2,24}$/.test(labels[labels.length - 1]);
}

/** North American Numbering Plan: area and exchange codes start with 2-9, no N11 area codes, no 555-01xx fiction block rule (555 is accepted). */
export function usPhoneValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  const national = digits.length === 11 && digits[0] === '1' ? digits.slice(1) : digits;
  if (national.length !== 10) {
    return false;
  }
  const area = national.slice(0, 3);
  const exchange = national.slice(3, 6);
  return /^[2-9]\d\d$/.test(area) && !/^[2-9]11$/.test(area) && /^[2-9]\d\d$/.test(exchange) && !/^(\d)\1{9}$/.test(national);
}

/** Calling codes of EU/EEA countries, UK and Switzerland. */
const EU_CALLING_CODES = ['30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '350', '351', '352', '353', '354', '356', '357', '358', '359', '370', '371', '372', '385', '386', '420', '421', '423'];

export function euPhoneValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  const code = EU_CALLING_CODES.find((c) => digits.startsWith(c));
  if (!code) {
    return false;
  }
  const rest = digits.length - code.length;
  return rest >= 6 && rest <= 12 && !/^(\d)\1+$/.test(digits.slice(code.length));
}

export function ipValid(candidate: string): boolean {
  const kind = net.isIP(candidate);
  if (kind === 4) {
    // No leading zeros ("010.1.1.1" is more likely a version or an id than an address).
    return candidate.split('.').every((o) => o === '0' || !o.startsWith('0'));
  }
  if (kind === 6) {
    return candidate.includes(':') && candidate.replace(/[^:]/g, '').length >= 2 && candidate !== '::';
  }
  return false;
}

// ---------------------------------------------------------------- detectors

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// 13-19 digits, optionally grouped by single spaces or dashes, not glued to other digits.
const CARD_RE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d|-\d)/g;
const IBAN_RE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;
// Only the dashed form: spaced digit groups are too common in ordinary numeric data.
const SSN_RE = /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g;
// US numbers must be formatted: (415) 555-0100, 415-555-0100, 415.555.0100, +1 415 555 0100.
const US_PHONE_RE = /(?<![\d+.-])(?:\+?1[ .-])?(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}(?![\d-])|(?<![\d-])\+1 \d{3} \d{3} \d{4}(?![\d-])/g;
// International numbers in E.164 style with a leading + and a non-NANP country code.
const INTL_PHONE_RE = /(?<![\w+])\+(?!1[ .-]?\d)\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d-])/g;
const IPV4_RE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/g;
// Full eight-group IPv6 addresses, or compressed ones with '::' (times like 12:30:45 are not candidates).
const IPV6_FULL_RE = /(?<![\w:])[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}(?![\w:])/g;
const IPV6_SHORT_RE = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?(?![\w:])/g;

/** IBAN candidates, cut to their country's length when a longer run of characters follows. */
function ibanCandidates(text: string): string[] {
  return all(IBAN_RE, text).map((m) => {
    const expected = IBAN_LENGTH[m.slice(0, 2)];
    if (expected === undefined) {
      return m;
    }
    let count = 0;
    let end = 0;
    while (end < m.length && count < expected) {
      if (m[end] !== ' ') {
        count++;
      }
      end++;
    }
    return m.slice(0, end);
  });
}

export const DETECTORS: Detector[] = [
  { classification: CLASSIFICATION.email, candidates: (t) => all(EMAIL_RE, t), validate: emailValid },
  { classification: CLASSIFICATION.creditCard, candidates: (t) => all(CARD_RE, t), validate: creditCardValid },
  { classification: CLASSIFICATION.iban, candidates: ibanCandidates, validate: ibanValid },
  { classification: CLASSIFICATION.usSsn, candidates: (t) => all(SSN_RE, t), validate: ssnValid },
  { classification: CLASSIFICATION.usPhone, candidates: (t) => all(US_PHONE_RE, t), validate: usPhoneValid },
  { classification: CLASSIFICATION.euPhone, candidates: (t) => all(INTL_PHONE_RE, t), validate: euPhoneValid },
  { classification: CLASSIFICATION.ipAddress, candidates: (t) => [...all(IPV4_RE, t), ...all(IPV6_FULL_RE, t), ...all(IPV6_SHORT_RE, t)], validate: ipValid },
];

/** Runs every detector over `text`; `applies` is the threshold rule described above. */
export function detect(text: string, detectors: Detector[] = DETECTORS): DetectorResult[] {
  return detectors.map((d) => {
    const candidates = d.candidates(text);
    const valid = candidates.filter((c) => d.validate(c));
    const distinctValid = new Set(valid.map((v) => v.replace(/[\s().-]/g, '').toLowerCase())).size;
    const applies = distinctValid >= MIN_MATCHES && valid.length >= MATCH_THRESHOLD * candidates.length;
    return { classification: d.classification, candidates: candidates.length, valid: valid.length, distinctValid, applies };
  });
}

/** The classification names that apply to `text`, in detector order. */
export function classifyText(text: string): string[] {
  return detect(text)
    .filter((r) => r.applies)
    .map((r) => r.classification);
}

/** Decodes a sample for classification; undefined for binary content (NUL bytes in the first 8 KB). */
export function sampleText(data: Buffer): string | undefined {
  const head = data.subarray(0, 8192);
  if (head.includes(0)) {
    return undefined;
  }
  let text = data.toString('utf8');
  if (data.length >= SAMPLE_BYTES) {
    // Drop the last, probably truncated, line.
    const cut = text.lastIndexOf('\n');
    if (cut > 0) {
      text = text.slice(0, cut);
    }
  }
  return text;
}

/** Classifications for a file's first bytes (empty for binary content). */
export function classifySample(data: Buffer): string[] {
  const text = sampleText(data);
  return text === undefined ? [] : classifyText(text);
}
