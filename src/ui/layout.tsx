import type { Child, FC } from 'hono/jsx';
import { isoTime, utcText } from './format';

export type Section = 'overview' | 'sessions' | 'traces';

/** The page shell: navigation, sign-out, one stylesheet and one script from the Worker itself. */
export const Layout: FC<{ title: string; section?: Section; children?: Child }> = ({ title, section, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${title} · claude-proxy`}</title>
      <link rel="stylesheet" href="/ui/assets/app.css" />
      <link rel="icon" href="data:," />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {section && (
        <header class="top">
          <a class="brand" href="/ui">
            claude-proxy
          </a>
          <nav aria-label="Sections">
            <a href="/ui" aria-current={section === 'overview' ? 'page' : undefined}>
              Overview
            </a>
            <a href="/ui/sessions" aria-current={section === 'sessions' ? 'page' : undefined}>
              Sessions
            </a>
            <a href="/ui/traces" aria-current={section === 'traces' ? 'page' : undefined}>
              Traces
            </a>
          </nav>
          <form method="post" action="/ui/logout">
            <button type="submit">Sign out</button>
          </form>
        </header>
      )}
      <main id="main">{children}</main>
      <script src="/ui/assets/app.js" defer></script>
    </body>
  </html>
);

/** A time shown in the viewer's zone by the page script; UTC until then. */
export const Time: FC<{ at: Date | number; seconds?: boolean }> = ({ at, seconds }) => (
  <time datetime={isoTime(at)} data-seconds={seconds ? '1' : undefined}>
    {utcText(at)}
  </time>
);

/** Range switcher links that keep the other query parameters. */
export const Ranges: FC<{ current: string; base: string; query: Record<string, string | undefined> }> = ({ current, base, query }) => (
  <p class="ranges">
    Range:{' '}
    {['24h', '7d', '30d'].map((range) => (
      <a href={withQuery(base, { ...query, range, cursor: undefined })} aria-current={range === current ? 'true' : undefined}>
        {range}
      </a>
    ))}
  </p>
);

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
