/**
 * Removes what identifies a person from free text: email addresses, phone numbers, IBANs. Used on provider
 * messages before they are kept (bounce reasons and the like) and, as a safety net, on every log line.
 */
const EMAIL_RE = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;
/** international or Dutch phone numbers, with or without spaces and dashes */
const PHONE_RE = /(?:whatsapp:)?(?:\+|\b00|\b0)[1-9](?:[\s-]?\d){6,14}\b/g;
/** IBAN: country, check digits, 11–30 alphanumerics (with or without the usual spaces) */
const IBAN_RE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;

export function redact(text: string): string {
  return text.replace(EMAIL_RE, '[email]').replace(IBAN_RE, '[iban]').replace(PHONE_RE, '[phone]');
}
