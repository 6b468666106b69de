/**
 * The one zod import of the runtime code: zod's small build (`zod/mini`, ≈ 16 KB bundled with the English
 * messages) instead of the full namespace (≈ 444 KB, which tree-shaking cannot cut down because its methods
 * live on one prototype). The API is functional — `z.optional(s)`, `s.check(z.minLength(1))` — the validation
 * (zod 4 core) and the issues are the same. zod/mini ships no messages of its own: the English locale is
 * loaded here once, so every issue without a custom message reads as it did with full zod.
 *
 * Use it as `import * as z from '…/shared/zod.js'` and only ever as `z.member` (a namespace object that escapes,
 * e.g. re-exported as a value, defeats tree-shaking and brings all of zod back), and never import 'zod' itself as
 * a value (that is the full build; `import type` from 'zod' is fine).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
