/**
 * Lambda bundles render from templates embedded and precompiled at build time (infra/build/templates.ts,
 * functions/channels/template-store.lambda.ts). Every message a channel function can render must come out of that
 * store exactly as it does from the templates folder with the full compiler — and a channel's store must hold
 * nothing but its own channel's templates.
 */
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { embeddedTemplateStore } from '../../functions/channels/embedded-templates.js';
import { CHANNELS, createRenderer, LANGUAGES, PHASES, TONES } from '../../functions/channels/render.js';
import type { Channel } from '../../functions/channels/render-contract.js';
import { embeddedTemplates, embeddedTemplatesModule, slim } from '../../infra/build/templates.js';
import { sampleInput } from '../../infra/local/preview.js';

function storeFor(channels: Channel[]) {
  const { templates, data, compiled } = embeddedTemplates(channels);
  // what the bundle's module evaluates to: the precompiled specifications as objects
  const specs = Object.fromEntries(Object.entries(compiled).map(([k, src]) => [k, new Function(`return (${src});`)() as TemplateSpecification]));
  return { store: embeddedTemplateStore({ templates, data, compiled: specs }), files: [...templates, ...Object.keys(data)] };
}

const disk = createRenderer();

describe.each(CHANNELS.map((c) => [c] as const))('the %s function', (channel) => {
  const { store, files } = storeFor([channel]);
  const embedded = createRenderer(store);

  it('carries no template source, only compilations', () => {
    const text = embeddedTemplatesModule([channel]);
    // a line of the Dutch reminder's source would only be there as compiled text, never with its {{…}} tags
    expect(text).not.toMatch(/\{\{(#if|>|\/if)/);
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
      const text = embeddedTemplatesModule([channel]);
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
    const [spec] = Object.values(mod.default.compiled);
    expect(typeof Handlebars.template(spec)).toBe('function');
  });
});
