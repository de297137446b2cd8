// Name and address checks run before anything reaches the API server or a command line:
// a bad name then fails here with a message that says what is allowed, not as a 422 or as
// an argument smuggled into an exec.
import { isIP } from 'node:net';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label: namespaces, VM names (they become hostnames), container names. */
export function isDns1123Label(name: string): boolean {
  return name.length > 0 && name.length <= 63 && LABEL.test(name);
}

/** RFC 1123 subdomain: most object names, including Kube-OVN's `<vm>.<ns>` IP names. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((part) => LABEL.test(part) && part.length <= 63);
}

export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Throws unless `name` is a valid RFC 1123 label; `what` names it in the message ("namespace", "VirtualMachine name"). */
export function checkLabel(what: string, name: string | undefined): string {
  if (name === undefined || !isDns1123Label(name)) {
    throw new InvalidInputError(
      `invalid ${what} ${JSON.stringify(name ?? '')}: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** Throws unless `name` is a valid RFC 1123 subdomain. */
export function checkSubdomain(what: string, name: string | undefined): string {
  if (name === undefined || !isDns1123Subdomain(name)) {
    throw new InvalidInputError(
      `invalid ${what} ${JSON.stringify(name ?? '')}: use at most 253 lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** Throws unless `ip` is one IPv4 address (or IPv6 when allowed). */
export function checkIp(what: string, ip: string | undefined, family: 4 | 6 | 'any' = 4): string {
  const f = ip === undefined ? 0 : isIP(ip);
  if (f === 0 || (family !== 'any' && f !== family)) {
    const kind = family === 'any' ? 'an IPv4 or IPv6 address' : `an IPv${family} address`;
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(ip ?? '')}: give ${kind}, e.g. ${family === 6 ? 'fd00::10' : '172.18.0.10'}`);
  }
  return ip as string;
}

/** Annotation keys: optional DNS subdomain prefix, '/', and a name of ≤63 alphanumerics, '-', '_', '.'. */
export function isAnnotationKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

export function checkAnnotationKey(key: string): string {
  if (!isAnnotationKey(key)) {
    throw new InvalidInputError(`invalid annotation key ${JSON.stringify(key)}: use [prefix/]name, prefix a DNS subdomain, name ≤63 letters, digits, '-', '_', '.'`);
  }
  return key;
}
