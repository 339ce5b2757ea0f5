/** A JSON object, pretty-printed; "none" when it is empty. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0);
  if (empty) return <p className="muted">No {label}.</p>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
