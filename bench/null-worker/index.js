/**
 * The null Worker: the floor claude-proxy is measured against. It forwards the request (method,
 * headers, body stream) unchanged to the same path on UPSTREAM and returns the upstream's
 * Response unchanged: no parsing, no tracing, no JavaScript on the body's way through.
 *
 * With RELAY=js it is a second reference instead (the "JS-relay null Worker"): it reads the
 * request body as text and passes the response through a JavaScript ReadableStream chunk by
 * chunk, the least any Worker that looks at the bytes must do. The bench uses it to show what
 * the runtime itself charges for touching a body from JavaScript.
 */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const target = env.UPSTREAM + url.pathname + url.search;
    if (env.RELAY !== 'js') return fetch(target, { method: request.method, headers: request.headers, body: request.body });

    const upstream = await fetch(target, { method: request.method, headers: request.headers, body: await request.text() });
    const reader = upstream.body.getReader();
    const body = new ReadableStream(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: upstream.status, headers: upstream.headers });
  },
};
