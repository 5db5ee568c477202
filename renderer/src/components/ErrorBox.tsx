import type { ApiError } from '../../../src/api/errors.ts';

/** Shows a settled error as it came: the message, then each detail with where it is. */
export function ErrorBox({ error, title }: { error: ApiError; title?: string }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>{error.message}</p>
      {error.details.length > 0 && (
        <ul>
          {error.details.slice(0, 50).map((d, i) => (
            <li key={i}>
              {d.line !== undefined && <span className="where">line {d.line}</span>}
              {d.path !== undefined && <span className="where">{d.path}</span>}
              {d.column !== undefined && <code>{d.column}</code>}
              {d.value !== undefined && <code>{JSON.stringify(d.value)}</code>} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
