/**
 * Where the strategy comes from and which one it is: an operator-editable JSON file (templates/strategy.json, or
 * MAATWERK_STRATEGY_FILE), its text re-read when it changes, and its id (a hash of the text). Without a file the
 * decisions use the strategy bundled with the code (id "bundled"). Parsing and validating it is strategy-source.ts;
 * this part carries no schema, so a sending step can tell whether its plan was made under the strategy in force
 * without the decision's code (channel-step.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StrategyText {
  file: string;
  text: string;
  /** the first 12 hex digits of the text's SHA-256 */
  id: string;
}

let cached: (StrategyText & { stat?: { mtimeMs: number; size: number; ino: number } }) | undefined;

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

/** The strategy file's current text and id; undefined when there is no file (the bundled strategy). */
export function strategyText(): StrategyText | undefined {
  const file = strategyFile();
  if (!file) return undefined;
  // Unchanged since it was read (same inode, size and mtime, and the mtime was settled then): the text read then. A
  // stat costs a fraction of reading the file on every decision.
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const c = cached;
  if (c && c.file === file && c.stat && st && st.mtimeMs === c.stat.mtimeMs && st.size === c.stat.size && st.ino === c.stat.ino) return c;
  const text = fs.readFileSync(file, 'utf8');
  const stat = st && Date.now() - st.mtimeMs > SETTLED_MS ? { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino } : undefined;
  const id = c && c.file === file && c.text === text ? c.id : createHash('sha256').update(text).digest('hex').slice(0, 12);
  cached = { file, text, id, ...(stat ? { stat } : {}) };
  return cached;
}

/**
 * Which strategy a decision is made with: a plan made under another strategy is decided again before it is carried
 * out, so an operator's edit applies to the next contact.
 */
export function strategyId(): string {
  return strategyText()?.id ?? 'bundled';
}
