/**
 * AWS's binary event-stream framing (application/vnd.amazon.eventstream), in which Bedrock's
 * InvokeModelWithResponseStream answers. Each message:
 *
 *   total length (u32 BE) | headers length (u32 BE) | CRC32 of the 8 bytes before (u32 BE)
 *   headers | payload | CRC32 of everything before it (u32 BE)
 *
 * A header is a name (u8 length + UTF-8), a type byte and a typed value. Both checksums are
 * verified: a corrupted frame is an error, never a garbled event passed on.
 */

export type HeaderValue = string | number | boolean | bigint | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

/** The fixed parts of a message: prelude (12 bytes) and the trailing checksum (4). */
const PRELUDE_BYTES = 12;
const OVERHEAD_BYTES = PRELUDE_BYTES + 4;
/** AWS caps a message at 16 MiB; a larger length means the stream is not what it claims. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A frame the decoder refused: a wrong length or checksum, or a header it cannot read. */
export class EventStreamError extends Error {
  override readonly name = 'EventStreamError';
}

/**
 * Decodes messages from chunks of any size, as the network splits them: `push` returns the
 * messages a chunk completes and keeps the rest for the next.
 */
export class EventStreamDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  /** Bytes received that do not yet make a whole message. */
  get pending(): number {
    return this.buffer.byteLength;
  }

  push(chunk: Uint8Array): EventStreamMessage[] {
    this.buffer = this.buffer.byteLength === 0 ? chunk : joinBytes(this.buffer, chunk);
    const messages: EventStreamMessage[] = [];
    while (this.buffer.byteLength >= PRELUDE_BYTES) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      const total = view.getUint32(0);
      const headersLength = view.getUint32(4);
      if (crc32(this.buffer.subarray(0, 8)) !== view.getUint32(8)) throw new EventStreamError('prelude checksum mismatch');
      if (total < OVERHEAD_BYTES || total > MAX_MESSAGE_BYTES || headersLength > total - OVERHEAD_BYTES) {
        throw new EventStreamError(`impossible message length ${total} (headers ${headersLength})`);
      }
      if (this.buffer.byteLength < total) break;
      const frame = this.buffer.subarray(0, total);
      if (crc32(frame.subarray(0, total - 4)) !== view.getUint32(total - 4)) throw new EventStreamError('message checksum mismatch');
      messages.push({
        headers: decodeHeaders(frame.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headersLength)),
        payload: frame.slice(PRELUDE_BYTES + headersLength, total - 4),
      });
      this.buffer = this.buffer.subarray(total);
    }
    return messages;
  }
}

function decodeHeaders(bytes: Uint8Array): Record<string, HeaderValue> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Record<string, HeaderValue> = {};
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.byteLength) throw new EventStreamError('header runs past its block');
  };
  while (at < bytes.byteLength) {
    need(1);
    const nameLength = bytes[at++]!;
    need(nameLength + 1);
    const name = utf8.decode(bytes.subarray(at, at + nameLength));
    at += nameLength;
    const type = bytes[at++]!;
    let value: HeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = type === 0;
        break;
      case 2:
        need(1);
        value = view.getInt8(at);
        at += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(at);
        at += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(at);
        at += 4;
        break;
      case 5:
        need(8);
        value = view.getBigInt64(at);
        at += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(at);
        at += 2;
        need(length);
        const raw = bytes.slice(at, at + length);
        value = type === 7 ? utf8.decode(raw) : raw;
        at += length;
        break;
      }
      case 8:
        need(8);
        value = new Date(Number(view.getBigInt64(at)));
        at += 8;
        break;
      case 9:
        need(16);
        value = bytes.slice(at, at + 16);
        at += 16;
        break;
      default:
        throw new EventStreamError(`unknown header type ${type} for ${name}`);
    }
    headers[name] = value;
  }
  return headers;
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

let table: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the zlib one), as the event-stream framing uses. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.byteLength; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
