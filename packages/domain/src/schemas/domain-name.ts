import { z } from 'zod';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A job's domain: a host name (or IPv4 literal) without protocol, lower-cased, with an
 * optional `:port`. A leading `http://` or `https://` and one trailing `/` are forgiven and
 * removed, because people paste URLs; a path, query or credentials are not.
 */
export function normalizeDomain(input: string): string {
  return input.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
}

export function domainProblem(domain: string): string | null {
  if (domain.length === 0) return 'Domain is required';
  if (domain.length > 260) return 'Domain must be at most 253 characters plus a port';
  if (/[/?#@\s]/.test(domain)) return `Invalid domain: ${JSON.stringify(domain)} must be a host name without protocol or path`;
  const [host = '', port, ...rest] = domain.split(':');
  if (rest.length > 0) return `Invalid domain: ${JSON.stringify(domain)} has more than one port`;
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535) return `Invalid domain: port must be between 1 and 65535`;
  }
  if (IPV4.test(host)) return null;
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 1 || !labels.every((l) => LABEL.test(l))) {
    return `Invalid domain: ${JSON.stringify(domain)} is not a valid host name`;
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) {
    return `Invalid domain: ${JSON.stringify(domain)} is not a valid host name`;
  }
  return null;
}

export const domainSchema = z
  .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'Domain is required' : 'Domain must be a string') })
  .transform(normalizeDomain)
  .superRefine((domain, ctx) => {
    const problem = domainProblem(domain);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
