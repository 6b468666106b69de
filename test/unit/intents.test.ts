/**
 * The reply classifier (functions/domain/intents/): the replies the issue measured, opt-outs in sentences, typos,
 * several sentences, the safety precedence, confidence and the agent hand-off, dates in promises — and the model
 * file being what the corpus trains to, with the held-out targets met.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIDENCE_THRESHOLD, classifyReply } from '../../functions/domain/intents/index.js';
import { CORPUS_NOW, parseCorpus, splitCorpus } from '../../functions/domain/intents/corpus.js';
import { promiseDate } from '../../functions/domain/intents/dates.js';
import { normalise } from '../../functions/domain/intents/normalise.js';
import { evaluate, meetsTargets, trainOn } from '../../functions/domain/intents/training.js';
import type { Model } from '../../functions/domain/intents/model.js';
import { brotliDecompressSync } from 'node:zlib';
import { decodeModel, encodeModel } from '../../functions/domain/intents/model-codec.js';
import { compactModel } from '../../infra/build/intents-model.js';

const DIR = path.resolve(import.meta.dirname, '../../functions/domain/intents');
const NOW = CORPUS_NOW; // Wednesday 4 March 2026
const intentOf = (t: string) => classifyReply(t, NOW).intent;

describe('classifyReply', () => {
  it.each([
    // the replies issue 8 measured as "other"
    ['ik kan pas volgende maand betalen', 'postpone'],
    ['wie bent u?', 'who_are_you'],
    ['bel me maar', 'call_me'],
    ['ik heb het al overgemaakt', 'already_paid'],
    ['stop sturen', 'opt_out'],
    ['Stop alstublieft', 'opt_out'],
    ['stop texting me', 'opt_out'],
    ['kan ik in 3 keer betalen', 'arrangement'],
    ['ik kan niet betallen', 'cannot_pay'],
    ['kan ik uitstel krijgen?', 'postpone'],
    ['dat is niet mijn rekening', 'not_my_debt'],
    ['Mijn man is overleden, ik weet niet wat ik moet doen', 'vulnerable'],
    ['Ik ga failliet', 'bankruptcy'],
    ['ik wil een regeling', 'arrangement'],
    // keywords of DESIGN §5 rule 10, any case
    ['STOP', 'opt_out'],
    ['  afmelden ', 'opt_out'],
    ['UITSCHRIJVEN', 'opt_out'],
    ['unsubscribe', 'opt_out'],
    ['Cancel', 'opt_out'],
    ['END', 'opt_out'],
    ['quit', 'opt_out'],
    ['STOPALL', 'opt_out_all'],
    ['ＳＴＯＰ', 'opt_out'],
    ['Stop alles, geen sms, geen mail en niet bellen', 'opt_out_all'],
    ['ik zit in de schuldhulpverlening', 'debt_help'],
    ['Mijn bewindvoerder regelt dit', 'debt_help'],
    ['Ik zit in de WSNP', 'debt_help'],
    ['Deze rekening klopt niet', 'dispute'],
    ['Ik heb dit nooit besteld', 'dispute'],
    ['ik betaal morgen', 'promise_to_pay'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });

  it('reads typos, chat spelling and full-width letters', () => {
    expect(normalise('ＳＴＯＰ').text).toBe('stop');
    expect(normalise('Mijn vrouw is overleeden').tokens).toContain('overleden');
    expect(normalise('ik zit bij de schuldhulpverleneng').tokens).toContain('schuldhulpverlening');
    expect(normalise("ill pay tomorrow, m'n excuses").text).toBe('i will pay tomorrow mijn excuses');
    expect(normalise("I'm very ill").text).toBe('i am very ill');
    expect(intentOf('stopppp!!')).toBe('opt_out');
    expect(intentOf('mn zaak is failiet')).toBe('bankruptcy');
  });

  it('a stop word inside another word is no opt-out; "stop calling" opts out of calls only', () => {
    expect(intentOf('Wanneer stopt dit? Ik wil een regeling')).toBe('arrangement');
    const calls = classifyReply('please stop calling me at work', NOW);
    expect(calls.intent).toBe('opt_out');
    expect(calls.channels).toEqual(['call']);
    expect(calls.bareStop).toBe(false);
    const both = classifyReply('STOP. Bel me ook niet meer op dit nummer', NOW);
    expect(both).toMatchObject({ intent: 'opt_out', channels: ['call'], bareStop: true });
    expect(both.also).not.toContain('call_me');
  });

  it('several intents: an opt-out decides the answer, the protection signals are carried along', () => {
    const r = classifyReply('Mijn man is overleden. Stop met die sms-jes en bel me maar', NOW);
    expect(r.intent).toBe('opt_out');
    expect(r.also).toContain('vulnerable');
    const v = classifyReply('Ik lig in het ziekenhuis en zit in de schuldsanering', NOW);
    expect(v.intent).toBe('vulnerable');
    expect(v.also).toEqual(['debt_help']);
    expect(intentOf('Mijn schuldhulpverlener wil een regeling')).toBe('debt_help');
  });

  it('every classification has a confidence; below the threshold the reply is unclear, with the guess kept', () => {
    const sure = classifyReply('Ik betaal vrijdag', NOW);
    expect(sure.confidence).toBeGreaterThanOrEqual(CONFIDENCE_THRESHOLD);
    expect(sure.confidence).toBeLessThanOrEqual(1);
    const vague = classifyReply('hmm tja misschien', NOW);
    expect(vague.intent).toBe('unclear');
    for (const text of ['ok', 'Goedemorgen', '👍']) expect(intentOf(text)).toBe('unclear');
    // A made-up model that is unsure of everything sends everything to an agent, never to a silent "other".
    const flat: Model = { version: 1, intents: ['promise_to_pay', 'dispute', 'unclear'], bias: [0.1, 0, 0], weights: {}, trainedOn: { examples: 0, rounds: 0, l2: 0 } };
    const r = classifyReply('ik weet het niet zo goed', NOW, flat);
    expect(r).toMatchObject({ intent: 'unclear', guess: 'promise_to_pay' });
    expect(r.confidence).toBeLessThan(CONFIDENCE_THRESHOLD);
  });

  it('a promise carries its date', () => {
    expect(classifyReply('ik betaal vrijdag', NOW).date).toMatchObject({ date: '2026-03-06', precision: 'day' });
    expect(classifyReply('Betaal na de 25e', NOW).date).toMatchObject({ date: '2026-03-26', precision: 'day' });
    expect(classifyReply('ik kan pas volgende maand betalen', NOW).date).toMatchObject({ date: '2026-04-30', precision: 'month' });
    expect(classifyReply('Komt goed, ik betaal het', NOW).date).toBeUndefined();
  });
});

describe('promiseDate', () => {
  const at = (plain: string, now = NOW) => promiseDate(normalise(plain).plain, now)?.date;
  it.each([
    ['vandaag', '2026-03-04'],
    ['morgen', '2026-03-05'],
    ['overmorgen', '2026-03-06'],
    ['vrijdag', '2026-03-06'],
    ['woensdag', '2026-03-11'], // today is a Wednesday: the next one
    ['volgende week vrijdag', '2026-03-13'],
    ['volgende week', '2026-03-15'],
    ['deze week', '2026-03-08'],
    ['eind van de maand', '2026-03-31'],
    ['begin volgende maand', '2026-04-07'],
    ['na de 25e', '2026-03-26'],
    ['op de 3e', '2026-04-03'], // the 3rd has passed: next month's
    ['25-3', '2026-03-25'],
    ['1 april', '2026-04-01'],
    ['2 maart', '2027-03-02'], // passed this year
    ['over twee weken', '2026-03-18'],
    ['on the 25th', '2026-03-25'],
    ['next month', '2026-04-30'],
    ['until april', '2026-04-30'],
    ['march 12', '2026-03-12'],
  ])('%s → %s', (text, date) => {
    expect(at(text)).toBe(date);
  });

  it('knows no date in "goedemorgen", "in 1 keer" or an amount', () => {
    expect(at('goedemorgen')).toBeUndefined();
    expect(at('ik betaal het in 1x')).toBeUndefined();
    expect(at('mag ik de 20 euro per maand')).toBeUndefined();
  });

  it('counts in Amsterdam time: late on Tuesday evening UTC is already Wednesday there', () => {
    expect(at('morgen', new Date('2026-03-03T23:30:00Z'))).toBe('2026-03-05');
  });
});

describe('the corpus and the model', () => {
  const corpus = parseCorpus(fs.readFileSync(path.join(DIR, 'corpus.jsonl'), 'utf8'));
  const { train, heldOut } = splitCorpus(corpus);

  it('has at least 400 replies in both languages, every intent in both parts', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(400);
    expect(corpus.filter((e) => e.l === 'en').length).toBeGreaterThan(100);
    expect(heldOut.length).toBeGreaterThan(corpus.length * 0.2);
    for (const part of [train, heldOut]) expect(new Set(part.map((e) => e.i)).size).toBe(16);
  });

  it('model.json is what training on the current corpus gives (run `npm run train:intents` after changing it)', () => {
    const stored = JSON.parse(fs.readFileSync(path.join(DIR, 'model.json'), 'utf8'));
    expect(JSON.stringify(trainOn(train))).toBe(JSON.stringify(stored));
    expect(stored.trainedOn.examples).toBe(train.length);
  });

  it('the Lambda bundle carries the same model in its compact form: decoded equal to model.json, every reply of the corpus classified the same', () => {
    const stored = JSON.parse(fs.readFileSync(path.join(DIR, 'model.json'), 'utf8')) as Model;
    expect(decodeModel(encodeModel(stored))).toStrictEqual(stored);
    // what the bundle's module does (infra/build/intents-model.ts): base64 → brotli → decodeModel
    const packed = compactModel(stored);
    const bundled = decodeModel(new Uint8Array(brotliDecompressSync(Buffer.from(packed, 'base64'))));
    expect(bundled).toStrictEqual(stored);
    expect(JSON.stringify(bundled)).toBe(JSON.stringify(stored)); // the same feature order too
    for (const e of corpus) {
      for (const at of [NOW, new Date('2026-10-25T00:30:00Z')]) expect(classifyReply(e.t, at, bundled), e.t).toStrictEqual(classifyReply(e.t, at, stored));
    }
    // ≈ 39 KB in the bundle instead of ≈ 190 KB of JSON
    expect(packed.length).toBeLessThan(45_000);
  });

  it('refuses to encode what it could not give back exactly', () => {
    const base: Model = { version: 1, intents: ['a', 'b'], bias: [0, 0], weights: {}, trainedOn: { examples: 0, rounds: 0, l2: 0 } };
    expect(decodeModel(encodeModel(base))).toStrictEqual(base);
    const big = { ...base, weights: { 'w:x': [0, 12.34, 1, -5.5] } };
    expect(decodeModel(encodeModel(big))).toStrictEqual(big);
    expect(() => encodeModel({ ...base, weights: { 'w:x': [0, 0.123] } })).toThrow(/two decimals/);
    expect(() => encodeModel({ ...base, weights: { 'w:x': [1, 0.5, 0, 0.5] } })).toThrow(/ascend/);
    expect(() => encodeModel({ ...base, weights: { 'w:a\nb': [0, 0.5] } })).toThrow(/cannot be encoded/);
    expect(() => encodeModel({ ...base, intents: Array.from({ length: 17 }, (_, i) => `i${i}`) })).toThrow(/16 classes/);
  });

  it('meets the targets on the held-out part: accuracy ≥ 90%, every opt-out and vulnerability signal caught', () => {
    const e = evaluate(JSON.parse(fs.readFileSync(path.join(DIR, 'model.json'), 'utf8')), heldOut);
    expect(e.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(e.safety.opt_out.missed).toEqual([]);
    expect(e.safety.vulnerable.missed).toEqual([]);
    expect(meetsTargets(e)).toBe(true);
  });
});
