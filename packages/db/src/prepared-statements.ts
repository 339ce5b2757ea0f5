import { createHash } from 'node:crypto';

/**
 * Names for PostgreSQL prepared statements, so that each pooled connection parses and plans
 * a statement once and then only binds it: our statements are long CTEs (a change and its
 * audit rows), and planning them again on every call cost more than running them.
 *
 * The name is a hash of the SQL text, so the same text always gets the same name on every
 * connection. The set of texts is bounded (statements differ only by optional clauses), but
 * a connection never forgets a prepared statement, so past `limit` distinct texts the rest
 * run unnamed (planned every time) rather than growing every connection without end.
 */
export function preparedStatementNames(limit = 500): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `sj_${createHash('sha1').update(sql).digest('base64url')}`;
      names.set(sql, name);
    }
    return name ?? ''; // pg runs a statement with an empty name unnamed
  };
}
