/**
 * Lambda bundles render from templates embedded and precompiled at build time (infra/build/templates.ts,
 * functions/channels/template-store.lambda.ts). Every message a channel function can render must come out of that
 * store exactly as it does from the templates folder with the full compiler — and a channel's store must hold
 * nothing but its own channel's templates.
 */
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { type EmbeddedTemplateData, embeddedTemplateStore } from '../../functions/channels/embedded-templates.js';
import { CHANNELS, createRenderer, LANGUAGES, PHASES, TONES } from '../../functions/channels/render.js';
import type { Channel } from '../../functions/channels/render-contract.js';
import { embeddedTemplates, embeddedTemplatesModule, slim } from '../../infra/build/templates.js';
import { compactSpec, TEMPLATE_PRELUDE } from '../../infra/build/template-compact.js';
import { renderAnswer } from '../../functions/channels/render-answer.js';
import { loadSampleAgency } from '../../functions/channels/render.js';
import { INTENTS, type Intent } from '../../functions/domain/vocabulary.js';
import { sampleInput } from '../../infra/local/preview.js';

type EmbeddedModule = { default: EmbeddedTemplateData };

/** The module a bundle embeds (`virtual:maatwerk-templates`), evaluated as the bundle evaluates it. */
async function embeddedModule(channels: readonly Channel[], options: { answers?: boolean } = {}): Promise<EmbeddedTemplateData> {
  const text = embeddedTemplatesModule(channels, undefined, options);
  return ((await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as EmbeddedModule).default;
}

/** The store of a bundle: the embedded module's specifications (decompressed, minified, made functions). */
function storeFor(channels: Channel[], options: { answers?: boolean } = {}) {
  const embedded = EMBEDDED.get(`${channels.join()}|${options.answers === true}`);
  if (!embedded) throw new Error(`no embedded module evaluated for ${channels.join()}`);
  return { store: embeddedTemplateStore(embedded), files: [...embedded.templates, ...Object.keys(embedded.data)] };
}

const EMBEDDED = new Map<string, EmbeddedTemplateData>();
for (const [channels, options] of [...CHANNELS.map((c) => [[c], {}] as const), [[], { answers: true }] as const]) {
  EMBEDDED.set(`${channels.join()}|${(options as { answers?: boolean }).answers === true}`, await embeddedModule(channels, options));
}

const disk = createRenderer();

describe.each(CHANNELS.map((c) => [c] as const))('the %s function', (channel) => {
  const { store, files } = storeFor([channel]);
  const embedded = createRenderer(store);

  it('carries no template source, only compilations', () => {
    // a line of the Dutch reminder's source would only be there as compiled text, never with its {{…}} tags
    for (const spec of Object.values(embeddedTemplates([channel]).compiled)) expect(spec).not.toMatch(/\{\{(#if|>|\/if)/);
  });

  it('renders every phase, tone and language exactly as the templates folder does', async () => {
    let rendered = 0;
    for (const phase of PHASES) {
      for (const tone of TONES) {
        for (const language of LANGUAGES) {
          for (const whatsappWindowOpen of channel === 'whatsapp' ? [true, false] : [undefined]) {
            const input = { ...sampleInput(channel, phase, tone, language), ...(whatsappWindowOpen === undefined ? {} : { whatsappWindowOpen }) };
            const [a, b] = await Promise.all([disk.renderMessage(input), embedded.renderMessage(input)]);
            const { pdf: pdfA, ...restA } = a;
            const { pdf: pdfB, ...restB } = b;
            expect(restB, `${channel}/${phase}/${tone}/${language}`).toEqual(restA);
            expect(!!pdfB).toBe(!!pdfA);
            rendered++;
          }
        }
      }
    }
    expect(rendered).toBe(PHASES.length * TONES.length * LANGUAGES.length * (channel === 'whatsapp' ? 2 : 1));
  });

  it('embeds only its own channel, the partials it uses and the labels', () => {
    for (const file of files) {
      expect(file, file).toMatch(new RegExp(`^(${channel}/|partials/|labels\\.json$)`));
      if (file.startsWith('partials/')) expect(['email', 'letter'], `${channel} uses no partials`).toContain(channel);
    }
    for (const other of CHANNELS.filter((c) => c !== channel)) {
      expect(files.some((f) => f.startsWith(`${other}/`)), other).toBe(false);
    }
  });
});

describe('the Webhooks function (answers to replies)', () => {
  const { store, files } = storeFor([], { answers: true });
  const agency = loadSampleAgency();
  const input = (answer: Intent, language: 'nl' | 'en', channel: 'sms' | 'whatsapp', n: number, whatsappWindowOpen?: boolean) => ({
    answer,
    channel,
    language,
    now: new Date('2026-03-04T10:00:00Z'),
    debtorName: 'Alexandra van der Berg',
    claims: Array.from({ length: n }, (_, i) => ({ reference: `REF-${i + 1}`, creditorName: i ? 'Globex' : 'Acme Energie B.V.', principal: 123_456, costs: 1_851, paid: 500, outstanding: 124_807 })),
    paymentLink: 'https://pay.example.invalid/p/x',
    agency,
    promise: { date: '2026-03-06', precision: 'day' as const },
    optOuts: answer === 'opt_out_all' ? ['all'] : ['sms', 'whatsapp'],
    agentBy: new Date('2026-03-05T08:00:00Z'),
    alsoVulnerable: n > 1,
    distress: n > 2,
    // n = 2: an offer to choose from; n = 3: the plan a reply accepted (its first due date through the `date` helper)
    ...((answer === 'arrangement' || answer === 'cannot_pay') && n === 2 ? { arrangement: { options: [{ no: 1, instalments: 3, amount: 41_602 }, { no: 2, instalments: 6, amount: 20_801 }], link: 'https://pay.example.invalid/a' } } : {}),
    ...(answer === 'arrangement' && n === 3
      ? { arrangement: { options: [], link: 'https://pay.example.invalid/a', accepted: { option: 1, instalments: 3, amount: 41_602, firstDue: '2026-03-27' } } }
      : {}),
    ...(whatsappWindowOpen === undefined ? {} : { whatsappWindowOpen }),
  });

  it('renders every answer, in both languages, on SMS and WhatsApp, exactly as the templates folder does', () => {
    let rendered = 0;
    for (const answer of INTENTS) {
      for (const language of LANGUAGES) {
        for (const n of [1, 2, 3]) {
          for (const [channel, open] of [['sms', undefined], ['whatsapp', true], ['whatsapp', false]] as const) {
            expect(renderAnswer(input(answer, language, channel, n, open), store), `${answer}/${language}/${channel}/${n}`).toEqual(renderAnswer(input(answer, language, channel, n, open)));
            rendered++;
          }
        }
      }
    }
    expect(rendered).toBe(INTENTS.length * LANGUAGES.length * 9);
  });

  it('embeds the answers and their approved WhatsApp templates, nothing of the journey', () => {
    for (const file of files) expect(file, file).toMatch(/^answer\//);
    expect(files).toContain('answer/whatsapp-templates.json');
  });
});

describe('compacted specifications', () => {
  it('write every helper call, partial and strict look-up of every template as a call of the prelude', () => {
    for (const [channels, options] of [...CHANNELS.map((c) => [[c], {}] as const), [[], { answers: true }] as const]) {
      const { compiled } = embeddedTemplates(channels, undefined, options);
      const all = Object.values(compiled).join('\n');
      expect(all, channels.join() || 'answers').not.toContain('((stack1 = ');
      expect(all).toMatch(/\$[bhps]\(container,/);
    }
  });

  it('leave a statement of another shape as the precompiler wrote it', () => {
    const source = '{{#each items as |item|}}{{item}}{{/each}}{{> note indent=1}}{{#if a includeZero=true}}x{{/if}}';
    const options = { noEscape: true, strict: true, knownHelpersOnly: true };
    const spec = slim(Handlebars.precompile(source, options) as string);
    const compact = compactSpec(spec);
    expect(compact).toContain('((stack1 = ');
    const run = (s: string) => Handlebars.template(new Function(`${TEMPLATE_PRELUDE}\nreturn (${s});`)() as TemplateSpecification)({ items: ['p', 'q'], a: 0 }, { partials: { note: () => '!' } });
    expect(run(compact)).toBe(run(spec));
  });
});

describe('precompiled store', () => {
  it('refuses a template that was not precompiled instead of rendering something else', () => {
    const { store } = storeFor(['sms']);
    const env = store.env();
    expect(() => store.compileString(env, 'Hallo {{name}}, dit is nieuw', { strict: true })).toThrow(/not precompiled/);
    expect(() => store.compileFile(env, 'email/nl/reminder.hbs', { strict: true })).toThrow(/not precompiled/);
    expect(() => store.readData('whatsapp/content-templates.json')).toThrow(/not embedded/);
    expect(store.exists('email/nl/reminder.hbs')).toBe(false);
    expect(store.exists('sms/nl/reminder.hbs')).toBe(true);
  });

  it('leaves out what the bundled runtime never reads, and keeps where a strict look-up starts (its error names it)', () => {
    for (const channel of CHANNELS) {
      const text = Object.values(embeddedTemplates([channel]).compiled).join('\n');
      expect(text, channel).not.toMatch(/"loc":\{/);
      expect(text, channel).not.toMatch(/"end":\{"line"/);
      expect(text, channel).not.toMatch(/hasOwnProperty\.call\(parent, propertyName\)/);
    }
    // A strict look-up of a missing field fails with the same message (and position) as the full compiler's.
    const source = 'Hallo {{name}},\nu bent {{missing}} verschuldigd.';
    const options = { noEscape: true, strict: true, knownHelpersOnly: true };
    const full = () => Handlebars.compile(source, options)({ name: 'Sam' });
    const spec = new Function(`return (${slim(Handlebars.precompile(source, options) as string)});`)() as TemplateSpecification;
    const slimmed = () => Handlebars.template(spec)({ name: 'Sam' });
    expect(full).toThrow('"missing" not defined in [object Object] - 2:9');
    expect(slimmed).toThrow('"missing" not defined in [object Object] - 2:9');
  });

  it('is an ES module whose specifications the Handlebars runtime accepts', async () => {
    const text = embeddedTemplatesModule(['sms']);
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as { default: { templates: string[]; compiled: Record<string, TemplateSpecification> } };
    expect(mod.default.templates).toContain('sms/nl/reminder.hbs');
    // the specifications travel compressed: none of their code is in the module's text
    expect(text).not.toMatch(/depth0|"main"|main:/);
    const [spec] = Object.values(mod.default.compiled);
    expect(typeof Handlebars.template(spec)).toBe('function');
  });
});
