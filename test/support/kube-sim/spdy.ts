import type { Duplex } from 'node:stream';
import { constants, inflateSync } from 'node:zlib';

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
  'origin',
];

const TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
  + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized'
  + '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
  + 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
  + 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,'
  + 'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/**
 * The preset zlib dictionary of SPDY/3 header blocks (draft 3, §2.6.10.1): each word with a 4-byte length prefix,
 * then a run of common values. Clients (Go's spdystream, i.e. kubectl ≤ 1.29 exec) compress with it.
 */
const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(TAIL, 'latin1'),
]);

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 1;
const MAX_DATA = 32 * 1024;

/** One SPDY stream opened by the client. */
export interface SpdyStream {
  readonly id: number;
  readonly headers: Map<string, string>;
  /** Data the client sent on this stream. */
  onData?: (data: Buffer) => void;
  /** The client half-closed (FIN) or reset the stream. */
  onEnd?: () => void;
  write(data: Buffer): void;
  /** Half-closes our side (DATA frame with FIN). */
  end(): void;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | 3, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h[4] = flags;
  return Buffer.concat([h, payload]);
}

/**
 * Server side of a SPDY/3.1 connection as kubectl's remotecommand (Go spdystream) uses it: accepts client streams,
 * answers SYN_REPLY, echoes PINGs, ignores flow control (spdystream does too).
 */
export class SpdySession {
  private buf = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private compressedIn: Buffer[] = [];
  private inflatedLength = 0;
  private headerOut = 0;
  private closed = false;
  /** Called for each new client stream, after our SYN_REPLY went out. */
  onStream?: (stream: SpdyStream) => void;
  /** Called once when the client goes away (GOAWAY or socket closed). */
  onClose?: () => void;

  constructor(private readonly socket: Duplex) {
    socket.on('data', (d: Buffer) => this.onBytes(d));
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onEnd?.();
    this.onClose?.();
  }

  /** Closes the TCP connection. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private send(frame: Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(frame);
  }

  // Header blocks share one zlib stream per direction: inflate everything received so far and keep the new tail.
  private inflateHeaders(block: Buffer): Map<string, string> {
    this.compressedIn.push(block);
    const all = inflateSync(Buffer.concat(this.compressedIn), { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const raw = all.subarray(this.inflatedLength);
    this.inflatedLength = all.length;
    const headers = new Map<string, string>();
    let off = 4;
    for (let n = raw.readUInt32BE(0); n > 0; n--) {
      const nl = raw.readUInt32BE(off);
      const name = raw.subarray(off + 4, off + 4 + nl).toString('latin1');
      off += 4 + nl;
      const vl = raw.readUInt32BE(off);
      headers.set(name.toLowerCase(), raw.subarray(off + 4, off + 4 + vl).toString('latin1'));
      off += 4 + vl;
    }
    return headers;
  }

  // Our header blocks are uncompressed deflate "stored" blocks: valid for any inflater, no compression state to keep.
  private deflateHeaders(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [];
    const u32 = (n: number): Buffer => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const entries = Object.entries(headers);
    parts.push(u32(entries.length));
    for (const [k, v] of entries) parts.push(u32(k.length), Buffer.from(k, 'latin1'), u32(v.length), Buffer.from(v, 'latin1'));
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored[0] = 0;
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const head = this.headerOut++ === 0 ? Buffer.from([0x78, 0x01]) : Buffer.alloc(0);
    // The trailing empty stored block is what a Z_SYNC_FLUSH emits; Go's inflater only hands data out after it.
    return Buffer.concat([head, stored, raw, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
  }

  private onBytes(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      try {
        this.onFrame(frame);
      } catch (err) {
        console.error('kube-sim: bad SPDY frame', err);
        this.destroy();
        return;
      }
    }
  }

  private onFrame(frame: Buffer): void {
    const flags = frame[4]!;
    const payload = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (stream && payload.length) stream.onData?.(Buffer.from(payload));
      if (stream && flags & FLAG_FIN) stream.onEnd?.();
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = this.inflateHeaders(payload.subarray(10));
      const stream: SpdyStream = {
        id, headers,
        write: (data) => {
          for (let off = 0; off < data.length; off += MAX_DATA) this.send(this.dataFrame(id, data.subarray(off, off + MAX_DATA), 0));
        },
        end: () => this.send(this.dataFrame(id, Buffer.alloc(0), FLAG_FIN)),
      };
      this.streams.set(id, stream);
      const idBuf = Buffer.alloc(4);
      idBuf.writeUInt32BE(id);
      this.send(controlFrame(SYN_REPLY, 0, Buffer.concat([idBuf, this.deflateHeaders({})])));
      this.onStream?.(stream);
      if (flags & FLAG_FIN) stream.onEnd?.();
    } else if (type === RST_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      this.streams.get(id)?.onEnd?.();
      this.streams.delete(id);
    } else if (type === PING) {
      this.send(frame);
    } else if (type === GOAWAY) {
      this.shutdown();
    }
  }

  private dataFrame(id: number, data: Buffer, flags: number): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = flags;
    return Buffer.concat([h, data]);
  }
}
