/**
 * The bench's D1 writer: how many trace inserts one local D1 database absorbs, written as claude-proxy
 * writes them: one D1 batch per trace (a request's own write), or 100 per batch (the TRACE_QUEUE
 * consumer). POST { row, pieces, mode: "alone" | "batched", count }: `pieces` are the body_pieces rows
 * the row refers to (`gzip_hex`: the gzip column as hex), inserted once; `row` is a traces row
 * (column → value) that is inserted `count` times under new ids; answers { ms } (Date.now() advances across D1's I/O)
 * and deletes the copies.
 */
export default {
  async fetch(request, env) {
    const { row, pieces = [], mode, count } = await request.json();
    for (const { gzip_hex, ...piece } of pieces) {
      const columns = Object.keys(piece);
      const values = columns.map((c) => piece[c]);
      const gzip = gzip_hex ? Uint8Array.from(gzip_hex.match(/../g), (h) => Number.parseInt(h, 16)) : null;
      await env.DB.prepare(
        `INSERT OR IGNORE INTO body_pieces (${columns.map((c) => `"${c}"`).join(', ')}, gzip) VALUES (${columns.map(() => '?').join(', ')}, ?)`,
      )
        .bind(...values, gzip)
        .run();
    }
    const columns = Object.keys(row);
    const sql = `INSERT INTO traces (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    // Short: D1 refuses LIKE patterns over 50 bytes.
    const prefix = `bench-${crypto.randomUUID().slice(0, 8)}-`;
    const insert = (i) => env.DB.prepare(sql).bind(...columns.map((c) => (c === 'id' ? `${prefix}${i}` : row[c])));
    const t0 = Date.now();
    if (mode === 'alone') for (let i = 0; i < count; i++) await env.DB.batch([insert(i)]);
    else for (let i = 0; i < count; i += 100) await env.DB.batch(Array.from({ length: Math.min(100, count - i) }, (_, k) => insert(i + k)));
    const ms = Date.now() - t0;
    await env.DB.prepare('DELETE FROM traces WHERE id LIKE ?').bind(`${prefix}%`).run();
    return Response.json({ ms, count });
  },
};
