import { z } from 'zod';

/**
 * The attach stream's wire protocol (ADR 0013), a WebSocket subprotocol in the spirit of Kubernetes'
 * `v4.channel.k8s.io`: binary frames carry bytes with a 1-byte channel prefix, text frames carry JSON
 * control messages.
 */
export const ATTACH_PROTOCOL = 'workbay.attach.v1';

/** Prefix of the subprotocol that carries a bearer token for clients that cannot set headers (browsers). */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

/** Binary frame channels (first byte). */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** Largest frame either side may send. */
export const MAX_FRAME_BYTES = 1024 * 1024;

const Size = { cols: z.number().int().min(1).max(1000).optional(), rows: z.number().int().min(1).max(1000).optional() };
const Arg = z.string().max(131_072).refine((v) => !v.includes('\u0000'), 'must not contain a NUL character');
/** An OpenSSH public key line; options (`command=`…) cannot be smuggled into authorized_keys. */
const PublicKey = z.string().max(16_384).regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/);

/** The first text frame from the client: what to run. */
export const StartFrame = z.discriminatedUnion('mode', [
  z.object({
    type: z.literal('start'), mode: z.literal('shell'), tty: z.boolean().default(false), ...Size,
    /** argv; absent = the remote user's login shell. */
    command: z.array(Arg).min(1).max(1000).optional(),
  }).strict(),
  z.object({ type: z.literal('start'), mode: z.literal('sshd'), publicKey: PublicKey }).strict(),
  z.object({ type: z.literal('start'), mode: z.literal('port'), port: z.number().int().min(1).max(65_535) }).strict(),
]);
export type StartFrame = z.infer<typeof StartFrame>;

/** Later text frames from the client. */
export const ClientControl = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }).strict(),
  z.object({ type: z.literal('eof') }).strict(),
]);
export type ClientControl = z.infer<typeof ClientControl>;

/** Text frames from the server. */
export type ServerControl =
  | { type: 'started' }
  | { type: 'exit'; code: number }
  | { type: 'error'; code: string; message: string };

/** A binary frame: channel byte + payload. */
export const frame = (channel: number, data: Buffer): Buffer => Buffer.concat([Buffer.from([channel]), data]);

/** Splits the `Sec-WebSocket-Protocol` header into the offered subprotocols. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  return text.split(',').map((p) => p.trim()).filter(Boolean);
}
