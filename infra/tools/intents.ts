/**
 * `npm run train:intents`: trains the reply classifier's model on the corpus's training part and writes
 * functions/domain/intents/model.json (commit it; the tests check it is current).
 * `npm run eval:intents`: precision and recall per intent on the held-out part, the safety recall, the dates, and
 * whether the targets of issue 8 are met (exit code 1 if not). `-- --all` also shows the training part, and
 * `-- --errors` lists every held-out mistake.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCorpus, splitCorpus } from '../../functions/domain/intents/corpus.js';
import { type Evaluation, evaluate, meetsTargets, TARGETS, trainOn } from '../../functions/domain/intents/training.js';
import type { Model } from '../../functions/domain/intents/model.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../functions/domain/intents');
const corpus = parseCorpus(fs.readFileSync(path.join(DIR, 'corpus.jsonl'), 'utf8'));
const { train, heldOut } = splitCorpus(corpus);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

function table(title: string, e: Evaluation): void {
  console.log(`\n${title}: ${e.total} replies, accuracy ${pct(e.accuracy)} (${e.correct}/${e.total}); ${e.toAgent} sent to an agent as not sure\n`);
  console.log(`${'intent'.padEnd(16)} ${'support'.padStart(7)} ${'precision'.padStart(9)} ${'recall'.padStart(7)}`);
  for (const s of e.perIntent) console.log(`${s.intent.padEnd(16)} ${String(s.support).padStart(7)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)}`);
  const so = e.safety;
  console.log(`\nsafety recall (label or secondary intent acted on): opt-out ${so.opt_out.actedOn}/${so.opt_out.carried} ${pct(so.opt_out.recall)}, vulnerability ${so.vulnerable.actedOn}/${so.vulnerable.carried} ${pct(so.vulnerable.recall)}`);
  for (const m of [...so.opt_out.missed, ...so.vulnerable.missed]) console.log(`  MISSED: ${m}`);
  console.log(`dates in promises / requests to pay later: ${e.dates.correct}/${e.dates.expected} right`);
  for (const w of e.dates.wrong) console.log(`  date: "${w.text}" expected ${w.expected}, got ${w.got ?? 'none'}`);
}

const mode = process.argv[2];
if (mode === 'cv') {
  // Choosing the training rounds and the confidence threshold by 5-fold cross-validation on the training part only
  // (the held-out part plays no role in it).
  const folds = [0, 1, 2, 3, 4].map((k) => train.filter((_, i) => i % 5 === k));
  for (const rounds of [300, 1500]) {
    for (const l2 of [1e-4, 1e-3]) {
      const models = folds.map((_, k) => trainOn(folds.filter((_, j) => j !== k).flat(), { rounds, l2 }));
      for (const threshold of [0.3, 0.35, 0.4, 0.5]) {
        const evals = folds.map((f, k) => evaluate(models[k], f, undefined, threshold));
        const correct = evals.reduce((s, e) => s + e.correct, 0);
        const agent = evals.reduce((s, e) => s + e.toAgent, 0);
        console.log(`rounds ${rounds} l2 ${l2} threshold ${threshold}: cv accuracy ${pct(correct / train.length)}, to agent ${agent}`);
      }
    }
  }
} else if (mode === 'train') {
  const model = trainOn(train);
  fs.writeFileSync(path.join(DIR, 'model.json'), `${JSON.stringify(model)}\n`);
  console.log(`model.json: trained on ${train.length} replies (${heldOut.length} held out), ${Object.keys(model.weights).length} features kept`);
} else {
  const model = JSON.parse(fs.readFileSync(path.join(DIR, 'model.json'), 'utf8')) as Model;
  const fresh = trainOn(train);
  if (JSON.stringify(fresh) !== JSON.stringify(model)) console.log('NOTE: model.json is not what the current corpus trains to: run `npm run train:intents`.');
  console.log(`corpus: ${corpus.length} replies (${corpus.filter((e) => e.l === 'nl').length} nl, ${corpus.filter((e) => e.l === 'en').length} en); trained on ${train.length}, held out ${heldOut.length}`);
  if (process.argv.includes('--all')) table('training part (seen in training)', evaluate(model, train));
  const e = evaluate(model, heldOut);
  table('HELD-OUT part', e);
  if (process.argv.includes('--errors')) for (const x of e.errors) console.log(`  "${x.text}": ${x.expected} → ${x.got} (${x.confidence}${x.guess ? `, guess ${x.guess}` : ''})`);
  const ok = meetsTargets(e);
  console.log(`\ntargets (accuracy ≥ ${pct(TARGETS.accuracy).trim()}, opt-out and vulnerability recall 100%): ${ok ? 'MET' : 'NOT MET'}`);
  process.exitCode = ok ? 0 : 1;
}
