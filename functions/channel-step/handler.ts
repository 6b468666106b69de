/**
 * All channel-step handlers in one module, for the local runtime and the tests. On AWS each is its own function
 * with its own entry file and bundle (email.ts, sms.ts, whatsapp.ts, letter.ts, call-task.ts, await.ts).
 */
export { handler as email } from './email.js';
export { handler as sms } from './sms.js';
export { handler as whatsapp } from './whatsapp.js';
export { handler as letter } from './letter.js';
export { handler as callTask } from './call-task.js';
export { handler as park } from './await.js';
