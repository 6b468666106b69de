import { writeFileSync } from 'node:fs';
import { createRenderer, CHANNELS, LANGUAGES, PHASES, TONES } from './functions/channels/render.js';
import { sampleInput } from './infra/local/preview.js';
const r = createRenderer();
const out: Record<string, unknown> = {};
for (const c of CHANNELS) for (const p of PHASES) for (const t of TONES) for (const l of LANGUAGES) for (const w of c === 'whatsapp' ? [true, false] : [undefined]) {
  const input = { ...sampleInput(c, p, t, l), ...(w === undefined ? {} : { whatsappWindowOpen: w }) };
  try { const { pdf, ...rest } = await r.renderMessage(input); out[`${c}/${p}/${t}/${l}/${w}`] = { ...rest, pdf: pdf ? pdf.length > 0 : undefined }; }
  catch (e) { out[`${c}/${p}/${t}/${l}/${w}`] = { error: String(e) }; }
}
writeFileSync(process.argv[2], JSON.stringify(out, null, 1));
console.log(Object.keys(out).length);
