import { posix } from 'node:path';
import type { ExecResult } from '../../lib/drivers';

/** A file of the in-memory engine: its text and mtime. */
export interface MemoryFile { content: string; mtime: Date }

/** What one run of the tiny shell sees: files, environment, working directory and deadline. */
export interface ShellContext {
  files: Map<string, MemoryFile>;
  env: Record<string, string>;
  cwd: string;
  /** Kills the run then, as the real drivers do (exit code 124, `timedOut`). */
  timeoutMs?: number;
}

class Killed extends Error {}
class Exit extends Error { constructor(readonly code: number) { super(`exit ${code}`); } }

interface Run { ctx: ShellContext; out: string[]; err: string[]; deadline: number; status: number; args: string[] }

/**
 * Runs argv the way a container would, for the in-memory engine: `sh -c SCRIPT [$0 $1…]` goes through
 * a tiny interpreter of the shell the driver contract and simple hooks use (`;` `&&` `||`, quotes,
 * `$VAR` `${VAR}` `$?` `$1`, `>` `>>` `>&2` `2>&1` `2>/dev/null`, and the builtins echo, cat, pwd,
 * sleep, touch [-d @EPOCH], mkdir, exit, true, false, `:`); anything else is a command that is not
 * found (127) or syntax the interpreter refuses (exit 2, with a message), never a silent success.
 */
export async function runInMemory(argv: string[], ctx: ShellContext): Promise<ExecResult> {
  const r: Run = { ctx, out: [], err: [], deadline: ctx.timeoutMs ? Date.now() + ctx.timeoutMs : Infinity, status: 0, args: [] };
  let exitCode = 0;
  try {
    exitCode = await command(r, argv, { out: 'out', err: 'err' });
  } catch (e) {
    if (e instanceof Exit) exitCode = e.code;
    else if (e instanceof Killed) {
      return { exitCode: 124, stdout: r.out.join(''), stderr: `${r.err.join('')}\n[workbay: killed after ${ctx.timeoutMs} ms]`.trimStart(), timedOut: true };
    } else throw e;
  }
  return { exitCode, stdout: r.out.join(''), stderr: r.err.join('') };
}

type Sink = 'out' | 'err' | 'null' | { file: string; append: boolean };
interface Sinks { out: Sink; err: Sink }

async function script(r: Run, text: string, args: string[]): Promise<number> {
  const saved = r.args;
  r.args = args;
  try {
    for (const { op, text: cmd } of splitList(text)) {
      if ((op === '&&' && r.status !== 0) || (op === '||' && r.status === 0)) continue;
      const { words, sinks } = parseCommand(r, cmd);
      if (words.length) r.status = await command(r, words, sinks);
    }
    return r.status;
  } finally {
    r.args = saved;
  }
}

/** Splits a script into simple commands and the operators joining them, outside quotes. */
function splitList(text: string): { op: ';' | '&&' | '||'; text: string }[] {
  const list: { op: ';' | '&&' | '||'; text: string }[] = [];
  let op: ';' | '&&' | '||' = ';';
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      cur += ch;
      if (ch === '\\' && quote === '"') cur += text[++i] ?? '';
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '\'' || ch === '"') { quote = ch; cur += ch; continue; }
    if (ch === '\\') { cur += ch + (text[++i] ?? ''); continue; }
    const two = text.slice(i, i + 2);
    if (ch === ';' || ch === '\n' || two === '&&' || two === '||') {
      list.push({ op, text: cur });
      op = two === '&&' || two === '||' ? two : ';';
      if (op !== ';') i++;
      cur = '';
      continue;
    }
    if (ch === '#' && /(^|\s)$/.test(cur)) { while (i + 1 < text.length && text[i + 1] !== '\n') i++; continue; }
    if (two === '${') {
      const end = text.indexOf('}', i);
      if (end < 0) throw unsupported('an unterminated ${');
      cur += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if (ch === '&' && cur.endsWith('>')) { cur += ch; continue; }
    if ('|&(){}`'.includes(ch) || two === '$(') throw unsupported(two === '$(' ? '$(' : ch);
    cur += ch;
  }
  if (quote) throw unsupported(`an unterminated ${quote}`);
  list.push({ op, text: cur });
  return list.filter((c) => c.text.trim());
}

/** Words (expanded now, so `$?` is the last status) and redirections of one simple command. */
function parseCommand(r: Run, text: string): { words: string[]; sinks: Sinks } {
  const words: string[] = [];
  const sinks: Sinks = { out: 'out', err: 'err' };
  let i = 0;
  const word = (): string | undefined => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return undefined;
    let w = '';
    while (i < text.length && !/\s/.test(text[i]!)) {
      const ch = text[i]!;
      if (ch === '\'') { const end = text.indexOf('\'', i + 1); w += text.slice(i + 1, end); i = end + 1; continue; }
      if (ch === '"') {
        i++;
        while (text[i] !== '"') {
          if (text[i] === '\\' && '"\\$'.includes(text[i + 1] ?? '')) { w += text[i + 1]; i += 2; } else if (text[i] === '$') w += variable(); else w += text[i++];
        }
        i++;
        continue;
      }
      if (ch === '\\') { w += text[i + 1] ?? ''; i += 2; continue; }
      if (ch === '$') { w += variable(); continue; }
      if (ch === '>' || ch === '<') break;
      w += ch;
      i++;
    }
    return w;
  };
  const variable = (): string => {
    i++;
    const m = /^(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*])/.exec(text.slice(i));
    if (!m) return '$';
    i += m[0].length;
    const name = m[0].replace(/^\{|\}$/g, '');
    if (name === '?') return String(r.status);
    if (/^[0-9]$/.test(name)) return r.args[Number(name)] ?? '';
    if ('$#@*'.includes(name)) throw unsupported(`$${name}`);
    return r.ctx.env[name] ?? '';
  };
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    const redirect = /^(1>&2|>&2|2>&1|2>>|2>|>>|>|<)/.exec(text.slice(i));
    if (redirect) {
      i += redirect[0].length;
      const op = redirect[0];
      if (op === '1>&2' || op === '>&2') { sinks.out = sinks.err; continue; }
      if (op === '2>&1') { sinks.err = sinks.out; continue; }
      if (op === '<') throw unsupported('<');
      const target = word();
      if (!target) throw unsupported(`${op} without a file`);
      const sink: Sink = target === '/dev/null' ? 'null' : { file: resolvePath(r.ctx, target), append: op.endsWith('>>') };
      if (op.startsWith('2')) sinks.err = sink; else sinks.out = sink;
      continue;
    }
    const w = word();
    if (w === undefined) break;
    words.push(w);
  }
  return { words, sinks };
}

function unsupported(what: string): Error {
  return new UnsupportedSyntax(`memory shell: ${what} is not supported (the in-memory engine runs a tiny shell; use a real driver)`);
}
class UnsupportedSyntax extends Error {}

const resolvePath = (ctx: ShellContext, p: string) => posix.resolve(ctx.cwd, p);

/** Runs one command with its output sinks; builtins only. */
async function command(r: Run, argv: string[], sinks: Sinks): Promise<number> {
  const written = new Set<string>();
  const put = (sink: Sink, text: string) => {
    if (!text || sink === 'null') return;
    if (sink === 'out') r.out.push(text);
    else if (sink === 'err') r.err.push(text);
    else {
      const prev = sink.append || written.has(sink.file) ? r.ctx.files.get(sink.file)?.content ?? '' : '';
      written.add(sink.file);
      r.ctx.files.set(sink.file, { content: prev + text, mtime: new Date() });
    }
  };
  // A `>` file is truncated even when the command writes nothing.
  for (const s of [sinks.out, sinks.err]) if (typeof s === 'object' && !s.append) { r.ctx.files.set(s.file, { content: '', mtime: new Date() }); written.add(s.file); }
  const out = (t: string) => put(sinks.out, t);
  const err = (t: string) => put(sinks.err, t);
  const [name = '', ...args] = argv;
  const base = posix.basename(name);
  if ((base === 'sh' || base === 'bash') && args[0] === '-c') {
    try {
      return await script(r, args[1] ?? '', args.slice(2));
    } catch (e) {
      if (e instanceof Exit) return e.code;
      if (!(e instanceof UnsupportedSyntax)) throw e;
      err(`${e.message}\n`);
      return 2;
    }
  }
  switch (base) {
    case 'echo': { const n = args[0] === '-n'; out(`${(n ? args.slice(1) : args).join(' ')}${n ? '' : '\n'}`); return 0; }
    case 'pwd': out(`${r.ctx.cwd}\n`); return 0;
    case 'true': case ':': case 'mkdir': return 0;
    case 'false': return 1;
    case 'exit': throw new Exit(args[0] === undefined ? r.status : Number(args[0]) & 255);
    case 'cat': {
      let rc = 0;
      for (const f of args) {
        const file = r.ctx.files.get(resolvePath(r.ctx, f));
        if (file) out(file.content); else { err(`cat: can't open '${f}': No such file or directory\n`); rc = 1; }
      }
      return rc;
    }
    case 'touch': {
      let when = new Date();
      const files = [...args];
      if (files[0] === '-d') { when = new Date(Number(files[1]!.replace(/^@/, '')) * 1000); files.splice(0, 2); }
      for (const f of files) {
        const p = resolvePath(r.ctx, f);
        r.ctx.files.set(p, { content: r.ctx.files.get(p)?.content ?? '', mtime: when });
      }
      return 0;
    }
    case 'sleep': {
      const ms = Number(args[0] ?? 0) * 1000;
      const left = r.deadline - Date.now();
      await new Promise((res) => setTimeout(res, Math.max(0, Math.min(ms, left))));
      if (ms > left) throw new Killed();
      return 0;
    }
    default:
      err(`sh: ${name}: not found\n`);
      return 127;
  }
}
