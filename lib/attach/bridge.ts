import type { RawData, WebSocket } from 'ws';
import { isWorkbayError } from '../errors';
import type { AttachBroker, AttachTicket, BrokeredSession } from './broker';
import { CHANNEL, ClientControl, frame, StartFrame, type ServerControl } from './protocol';

/** A client that sends no start frame this soon after the upgrade is disconnected. */
const START_TIMEOUT_MS = 10_000;
/** Frames held while a session starts. */
const MAX_PENDING = 1024;
/** A client that answers no ping for this long is gone (a dead network sends no FIN); its process is ended. */
const PING_EVERY_MS = 30_000;
/** Output is paused while this much is queued for a slow client, and resumed below the low mark. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

/** The WebSocket OPEN state, without loading the ws package where no socket is ever accepted (Lambda). */
const OPEN = 1;

const bytes = (raw: RawData): Buffer => (Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw));

/**
 * Runs one attach session over an accepted WebSocket: the first text frame says what to run, binary
 * frames carry stdin (channel 0) and output (1, 2), text frames carry resize/eof and finally the exit
 * code. A client that goes away ends the process in the workspace.
 */
export function bridgeSession(sock: WebSocket, broker: AttachBroker, ticket: AttachTicket, log?: (e: Record<string, unknown>) => void): void {
  let session: BrokeredSession | undefined;
  let starting = false;
  let finished = false;
  let stdinClosed = false;
  const pending: Array<(s: BrokeredSession) => void> = [];
  const control = (m: ServerControl) => { if (sock.readyState === OPEN) sock.send(JSON.stringify(m)); };
  const fail = (code: string, message: string, close = 1011) => {
    control({ type: 'error', code, message });
    sock.close(close, code.slice(0, 100));
  };
  let paused = false;
  let drainTimer: NodeJS.Timeout | undefined;
  const output = (channel: number) => (data: Buffer) => {
    if (sock.readyState !== OPEN) return;
    sock.send(frame(channel, data));
    if (!paused && sock.bufferedAmount > HIGH_WATER && session) {
      paused = true;
      session.pause();
      drainTimer = setInterval(() => {
        if (sock.bufferedAmount > LOW_WATER && sock.readyState === OPEN) return;
        clearInterval(drainTimer);
        paused = false;
        session?.resume();
      }, 20);
    }
  };
  const withSession = (fn: (s: BrokeredSession) => void) => {
    if (session) return fn(session);
    // Input that arrives while the session starts (postAttachCommand may take a while) waits, within bounds.
    if (pending.length >= MAX_PENDING) return fail('request.invalid', 'too much input before the session started', 1008);
    pending.push(fn);
  };
  const startTimer = setTimeout(() => fail('request.invalid', 'no start frame was sent', 1008), START_TIMEOUT_MS);
  let alive = true;
  sock.on('pong', () => { alive = true; });
  const pinger = setInterval(() => {
    if (sock.readyState !== OPEN) return;
    if (!alive) return void sock.terminate();
    alive = false;
    sock.ping();
  }, PING_EVERY_MS);

  const begin = (text: string) => {
    const parsed = StartFrame.safeParse(safeJson(text));
    if (!parsed.success) return fail('request.invalid', `invalid start frame: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ')}`, 1008);
    starting = true;
    clearTimeout(startTimer);
    broker.start(ticket, parsed.data, { stdout: output(CHANNEL.stdout), stderr: output(CHANNEL.stderr) }).then((s) => {
      session = s;
      if (sock.readyState !== OPEN) return void s.abort();
      control({ type: 'started' });
      for (const fn of pending.splice(0)) fn(s);
      void s.done.then((code) => {
        finished = true;
        control({ type: 'exit', code });
        sock.close(1000);
      });
    }, (err: unknown) => {
      if (!isWorkbayError(err)) log?.({ level: 'error', msg: 'attach failed', workspaceId: ticket.workspace.id, error: err instanceof Error ? err.message : String(err) });
      fail(isWorkbayError(err) ? err.code : 'internal', isWorkbayError(err) ? err.message : 'internal error');
    });
  };

  sock.on('message', (raw, isBinary) => {
    const data = bytes(raw);
    if (!isBinary) {
      const text = data.toString('utf8');
      if (!starting) return begin(text);
      const m = ClientControl.safeParse(safeJson(text));
      if (!m.success) return;
      if (m.data.type === 'resize') { const { cols, rows } = m.data; withSession((s) => s.resize(cols, rows)); }
      else if (!stdinClosed) {
        stdinClosed = true;
        withSession((s) => s.endStdin());
      }
      return;
    }
    if (!starting || stdinClosed || data[0] !== CHANNEL.stdin || data.length < 2) return;
    const payload = data.subarray(1);
    withSession((s) => {
      if (!s.write(payload)) {
        sock.pause();
        void s.drained().then(() => sock.resume());
      }
    });
  });
  sock.on('error', () => undefined);
  sock.on('close', () => {
    clearTimeout(startTimer);
    clearInterval(pinger);
    clearInterval(drainTimer);
    if (finished) return;
    if (session) void session.abort();
    else pending.push((s) => void s.abort());
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
