import { describe, expect, it } from 'vitest';
import { parseComposeDuration, splitShellWords } from '../../../lib/compose';

describe('Compose durations and command lines', () => {
  it('reads Go durations into milliseconds', () => {
    expect(parseComposeDuration('1m30s')).toBe(90_000);
    expect(parseComposeDuration('1.5h')).toBe(5_400_000);
    expect(parseComposeDuration('250ms')).toBe(250);
    expect(parseComposeDuration('1500us')).toBe(2);
    expect(parseComposeDuration('0')).toBe(0);
    expect(() => parseComposeDuration('30')).toThrow(/not a duration/);
    expect(() => parseComposeDuration('-5s')).toThrow(/not a duration/);
  });

  it('splits command strings like Compose: quotes and backslashes, no variables', () => {
    expect(splitShellWords(`bash -c 'echo "$HOME"'`)).toEqual(['bash', '-c', 'echo "$HOME"']);
    expect(splitShellWords('echo a\\ b "c \\"d\\"" \'\' end')).toEqual(['echo', 'a b', 'c "d"', '', 'end']);
    expect(splitShellWords('  sleep   infinity ')).toEqual(['sleep', 'infinity']);
    expect(splitShellWords('sh -c "a && b"')).toEqual(['sh', '-c', 'a && b']);
    expect(() => splitShellWords('echo "open')).toThrow(/unclosed " quote/);
    expect(() => splitShellWords('run > log')).toThrow(/shell operator ">"/);
  });
});
