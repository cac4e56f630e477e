/**
 * A scripted upstream in a Worker of its own, bound into the workerd tests as TEST_STREAMER
 * (vitest.config.ts): its response bodies reach the proxy from another Worker, so they are the
 * runtime's own byte streams, as fetch bodies are, and they break, stall and end the way a
 * connection does (a stream made in the test's JavaScript is not). POST a script:
 *
 *   { "id": "…", "frames": ["event: …\n\n", …], "gapMs": 0, "end": "close" | "cut" | "stall" }
 *
 * The frames are written `gapMs` apart, then the body ends (`close`), breaks (`cut`) or waits
 * forever (`stall`). GET /cancelled/<id> says whether the reader let go of that body.
 */
const cancelled = new Set();
/** Echoes to break where their body ends, with the error the body broke with. */
const cuts = new Map();
const encoder = new TextEncoder();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  async fetch(request) {
    const url = new URL(request.url);
    // POST /echo/<id>: the body sent, streamed back as it arrives (what a body looks like after a
    // trip over a connection). POST /echo/<id>/cut first (the body: an error message), and the echo
    // breaks with that error where the body ends.
    if (url.pathname.startsWith('/echo/')) {
      const [, , id, action] = url.pathname.split('/');
      if (action === 'cut') {
        cuts.set(id, await request.text());
        return new Response('ok');
      }
      const reader = request.body.getReader();
      return new Response(
        new ReadableStream({
          async pull(controller) {
            const { done, value } = await reader.read();
            if (!done) controller.enqueue(value);
            else if (cuts.has(id)) {
              controller.error(new Error(cuts.get(id)));
              cuts.delete(id);
            } else controller.close();
          },
          cancel: (reason) => reader.cancel(reason),
        }),
      );
    }
    if (request.method === 'GET' && url.pathname.startsWith('/cancelled/')) {
      return Response.json({ cancelled: cancelled.has(url.pathname.slice('/cancelled/'.length)) });
    }
    const script = await request.json();
    let stopped = false;
    const body = new ReadableStream({
      async start(controller) {
        for (const [i, frame] of script.frames.entries()) {
          if (i > 0 && script.gapMs) await sleep(script.gapMs);
          if (stopped) return;
          controller.enqueue(encoder.encode(frame));
        }
        if (script.end === 'close') controller.close();
        else if (script.end === 'cut') {
          await sleep(20);
          controller.error(new Error('connection reset by the scripted upstream'));
        } else {
          // A stall: silent, but alive (a Worker with nothing pending is cancelled as hung).
          while (!stopped) await sleep(50);
        }
      },
      cancel() {
        stopped = true;
        cancelled.add(script.id);
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_streamer', 'x-test-streamer': 'scripted' },
    });
  },
};
