import type { FC } from 'hono/jsx';
import { Layout } from '../layout';

/** `closed`: why the viewer cannot be opened (ADMIN_TOKEN unset or too weak), or null. */
export const LoginPage: FC<{ error?: string; next?: string; closed: string | null }> = ({ error, next, closed }) => (
  <Layout title="Sign in">
    <div class="login card">
      <h1>claude-proxy</h1>
      {closed ? (
        <p class="notice">{`The trace viewer is closed: ${closed}.`}</p>
      ) : (
        <form method="post" action="/ui/login">
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          {next && <input type="hidden" name="next" value={next} />}
          {error && (
            <p class="bad" role="alert">
              {error}
            </p>
          )}
          <button type="submit">Sign in</button>
        </form>
      )}
    </div>
  </Layout>
);
