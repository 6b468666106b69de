/**
 * Where Decide gets the strategy: an operator-editable JSON file (templates/strategy.json, or
 * MAATWERK_STRATEGY_FILE). It is re-read when it changes, so an edit shows in the next decisions without
 * touching code; an invalid file is refused with the field path and the reason.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultStrategy, parseStrategy, type Strategy } from '../domain/strategy.js';

let cached: { file: string; text: string; strategy: Strategy; id: string; stat?: { mtimeMs: number; size: number; ino: number } } | undefined;

/**
 * How old a file's modification time must be, when it is read, for its stat to stand for its content afterwards: an
 * edit within the same mtime tick as the read would leave the stat unchanged, so a file changed this recently is read
 * again on every call until it is older (as git does with its index).
 */
const SETTLED_MS = 2_000;

export function strategyFile(): string | undefined {
  if (process.env.MAATWERK_STRATEGY_FILE) return path.resolve(process.env.MAATWERK_STRATEGY_FILE);
  const dir = process.env.MAATWERK_TEMPLATES_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');
  const file = path.join(dir, 'strategy.json');
  return fs.existsSync(file) ? file : undefined;
}

/** The current strategy; throws `invalid strategy: <field>: <reason>` for a bad file. */
export function currentStrategy(): Strategy {
  const file = strategyFile();
  if (!file) return defaultStrategy();
  // Unchanged since it was read (same inode, size and mtime, and the mtime was settled then): the parsed one. A stat
  // costs a fraction of reading the file on every decision.
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const c = cached;
  if (c && c.file === file && c.stat && st && st.mtimeMs === c.stat.mtimeMs && st.size === c.stat.size && st.ino === c.stat.ino) return c.strategy;
  const text = fs.readFileSync(file, 'utf8');
  const stat = st && Date.now() - st.mtimeMs > SETTLED_MS ? { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino } : undefined;
  if (c && c.file === file && c.text === text) {
    c.stat = stat;
    return c.strategy;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid strategy: ${file} is not valid JSON (${(err as Error).message})`);
  }
  const strategy = parseStrategy(json);
  cached = { file, text, strategy, id: createHash('sha256').update(text).digest('hex').slice(0, 12), ...(stat ? { stat } : {}) };
  return strategy;
}

/**
 * Which strategy a decision was made with (a hash of the file): a plan made under another strategy is decided
 * again before it is carried out, so an operator's edit applies to the next contact.
 */
export function strategyId(): string {
  currentStrategy();
  return cached?.id ?? 'bundled';
}
