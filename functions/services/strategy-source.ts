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

let cached: { file: string; text: string; strategy: Strategy; id: string } | undefined;

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
  // A few KB: reading it on every decision is cheaper than missing an edit made within one mtime tick.
  const text = fs.readFileSync(file, 'utf8');
  if (cached && cached.file === file && cached.text === text) return cached.strategy;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid strategy: ${file} is not valid JSON (${(err as Error).message})`);
  }
  const strategy = parseStrategy(json);
  cached = { file, text, strategy, id: createHash('sha256').update(text).digest('hex').slice(0, 12) };
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
