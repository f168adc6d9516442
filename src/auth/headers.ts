// HTTP header names as catalogs and signature schemes spell them (RFC 9110 §5.6.2 token).

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}
