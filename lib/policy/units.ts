import { isQuantity } from '../config/quantity';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A Kubernetes quantity (`4Gi`, `500M`, `1.5`, `100m`) as a number of units; undefined when it is not one. */
export function quantityValue(text: string): number | undefined {
  if (!isQuantity(text)) return undefined;
  const m = /^\+?([\d.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  if (!Number.isFinite(n)) return undefined;
  if (!unit) return n;
  return n * (BINARY[unit] ?? DECIMAL[unit]!);
}

/** CPUs as millicores, from `2`, `"2"`, `"1.5"` or `"500m"`. */
export function cpuMillis(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const n = quantityValue(text.trim());
  if (n === undefined || n <= 0) return undefined;
  return Math.round(n * 1000);
}

/** Memory in bytes, from a quantity (`4Gi`, `512M`) or a number of bytes. */
export function memoryBytes(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const n = quantityValue(text.trim());
  if (n === undefined || n <= 0) return undefined;
  return Math.round(n);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([tgmk]b)?$/i;
const SIZE_UNIT: Record<string, number> = { kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40 };

/** A devcontainer `hostRequirements` size (`8gb`, binary units as in the spec) in bytes. */
export function sizeBytes(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] ? SIZE_UNIT[m[2].toLowerCase()]! : 1));
}

/** Millicores as a Kubernetes quantity (`2`, `500m`). */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes as a Kubernetes quantity (`4Gi`, `512Mi`, or plain bytes). */
export function formatMemory(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
