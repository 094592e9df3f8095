/**
 * Removes secrets from text before it reaches a log, the activity view, the audit trail or a
 * webview: bearer tokens, JWTs, client secrets and passwords, storage account keys, connection
 * string keys and SAS signatures.
 */
const RULES: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 ***'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '***jwt***'],
  [/("?(?:client_secret|clientSecret|secret|password|access_token|accessToken|refresh_token|accountKey|key1|key2|value)"?\s*[:=]\s*"?)([^"&,\s}]+)/gi, '$1***'],
  [/(AccountKey=|SharedAccessSignature=|sig=)([^;&\s"]+)/gi, '$1***'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement);
  }
  return out;
}
