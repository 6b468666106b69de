/**
 * The strategy Decide decides with: the operator-editable JSON file (strategy-file.ts: where it is, its text and id)
 * parsed and validated, again whenever its text changes, so an edit shows in the next decisions without touching
 * code; an invalid file is refused with the field path and the reason. Without a file: the bundled strategy.
 */
import { defaultStrategy, parseStrategy, type Strategy } from '../domain/strategy.js';
import { strategyText } from './strategy-file.js';

export { strategyFile, strategyId } from './strategy-file.js';

let parsed: { file: string; text: string; strategy: Strategy } | undefined;

/** The current strategy; throws `invalid strategy: <field>: <reason>` for a bad file. */
export function currentStrategy(): Strategy {
  const t = strategyText();
  if (!t) return defaultStrategy();
  if (parsed && parsed.file === t.file && parsed.text === t.text) return parsed.strategy;
  let json: unknown;
  try {
    json = JSON.parse(t.text);
  } catch (err) {
    throw new Error(`invalid strategy: ${t.file} is not valid JSON (${(err as Error).message})`);
  }
  const strategy = parseStrategy(json);
  parsed = { file: t.file, text: t.text, strategy };
  return strategy;
}
