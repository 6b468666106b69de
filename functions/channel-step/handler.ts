// Placeholder: replaced by the real handler. One export per journey channel state.
const notYet = async (_event: unknown): Promise<void> => undefined;
export const email = notYet;
export const sms = notYet;
export const whatsapp = notYet;
export const letter = notYet;
export const callTask = notYet;
export const park = notYet;
