/** Display helpers for Purview classifications (plain Node, shared by trees, lineage and governance). */

/** `MICROSOFT.PERSONAL.EMAIL` → `Email`, `MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER` → `Credit Card Number`. */
export function classificationLabel(name: string): string {
  const last = name.split('.').pop() ?? name;
  return last.toLowerCase().split('_').filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}
