/**
 * Durable record of what the fake providers received.
 *
 * Layout under dataDir (created when missing):
 *   records.jsonl        one ProviderRecord per line, in receive order (pdfPath stored relative to dataDir)
 *   status.jsonl         one { id, status, errorCode?, at } per line: Twilio status changes made by deliverStatus()
 *   letters/<id>.pdf     the PDFs the print fake accepted
 *
 * Every write is synchronous and happens BEFORE the HTTP answer is sent, so once a client has seen
 * the provider's answer the record is in the OS page cache: killing the process (kill -9) cannot
 * lose it. (A power cut can; we do not fsync every record, to keep bulk simulations fast.)
 * A torn last line (a kill in the middle of an append) is skipped on load and the file is
 * re-terminated, so the next append starts on a fresh line.
 *
 * One FakeProviders instance owns a dataDir at a time; there is no cross-process locking.
 */
import fs from 'node:fs';
import path from 'node:path';

export type ProviderName = 'twilio' | 'sendgrid' | 'print';
export type ProviderChannel = 'sms' | 'whatsapp' | 'email' | 'letter';

export interface ProviderRecord {
  /** Twilio: the message SID (SM…); SendGrid: the x-message-id (suffixed .1, .2 … for extra recipients); print: the letter id. */
  id: string;
  provider: ProviderName;
  channel: ProviderChannel;
  /** SMS/WhatsApp: E.164 without the `whatsapp:` prefix; email: the address; letter: the address on one line. */
  to: string;
  from?: string;
  subject?: string;
  text: string;
  html?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
  /** SendGrid custom_args (message-level merged with personalization-level); print: the request's `metadata`. */
  customArgs?: Record<string, string>;
  statusCallback?: string;
  /** Letters kept on disk: absolute path of the stored PDF. Undefined in memory mode. */
  pdfPath?: string;
  /** ISO-8601 UTC, read from the shared clock. */
  receivedAt: string;
  // ---- additions beyond the brief's interface (all optional) ----
  /** Twilio: MessagingServiceSid when the message was sent through a messaging service. */
  messagingServiceSid?: string;
  /** SendGrid: dynamic template id and its data, when the mail used a template instead of content. */
  templateId?: string;
  templateData?: Record<string, unknown>;
  /** Print: the caller's own reference for the letter. */
  reference?: string;
  /** Print: the Idempotency-Key the letter was accepted under (a repeat gets the same letter back). */
  idempotencyKey?: string;
}

export type MessageStatus =
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'read';

export interface StatusChange {
  id: string;
  status: MessageStatus;
  errorCode?: number;
  at: string;
}

export class RecordStore {
  private readonly list: ProviderRecord[] = [];
  private readonly byId = new Map<string, ProviderRecord>();
  private readonly byIdempotencyKey = new Map<string, ProviderRecord>();
  private readonly statuses = new Map<string, StatusChange>();
  private readonly pdfs = new Map<string, Buffer>();
  private readonly recordsFile?: string;
  private readonly statusFile?: string;
  private readonly lettersDir?: string;
  private readonly listeners = new Set<(r: ProviderRecord) => void>();

  constructor(private readonly dataDir?: string) {
    if (!dataDir) return;
    fs.mkdirSync(dataDir, { recursive: true });
    this.lettersDir = path.join(dataDir, 'letters');
    fs.mkdirSync(this.lettersDir, { recursive: true });
    this.recordsFile = path.join(dataDir, 'records.jsonl');
    this.statusFile = path.join(dataDir, 'status.jsonl');
    for (const raw of readJsonLines(this.recordsFile)) {
      const r = raw as ProviderRecord;
      if (!r || typeof r.id !== 'string') continue;
      if (r.pdfPath) r.pdfPath = path.resolve(dataDir, r.pdfPath);
      this.add(r);
    }
    for (const raw of readJsonLines(this.statusFile)) {
      const s = raw as StatusChange;
      if (s && typeof s.id === 'string') this.statuses.set(s.id, s);
    }
  }

  get durable(): boolean {
    return this.dataDir !== undefined;
  }

  records(): ProviderRecord[] {
    return this.list.map((r) => ({ ...r }));
  }

  get(id: string): ProviderRecord | undefined {
    return this.byId.get(id);
  }

  /** The record accepted under an Idempotency-Key (per provider). */
  byKey(provider: ProviderName, idempotencyKey: string): ProviderRecord | undefined {
    return this.byIdempotencyKey.get(`${provider}:${idempotencyKey}`);
  }

  /** Appends records (one request may yield several, e.g. several e-mail recipients) in one write. */
  append(records: ProviderRecord[]): void {
    if (this.recordsFile) {
      const lines = records.map((r) => JSON.stringify(this.forDisk(r)) + '\n').join('');
      fs.appendFileSync(this.recordsFile, lines);
    }
    for (const r of records) this.add(r);
    for (const r of records) for (const l of this.listeners) l({ ...r });
  }

  /** Calls `listener` with a copy of every record appended from now on (not those loaded from disk); returns its removal. */
  onAppend(listener: (r: ProviderRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a letter PDF and returns the path the record should carry (undefined in memory mode). */
  putPdf(id: string, pdf: Buffer): string | undefined {
    if (!this.lettersDir) {
      this.pdfs.set(id, pdf);
      return undefined;
    }
    const final = path.join(this.lettersDir, `${id}.pdf`);
    const tmp = `${final}.tmp`;
    fs.writeFileSync(tmp, pdf);
    fs.renameSync(tmp, final);
    return final;
  }

  pdf(id: string): Buffer | undefined {
    const inMemory = this.pdfs.get(id);
    if (inMemory) return inMemory;
    const r = this.byId.get(id);
    if (!r?.pdfPath) return undefined;
    try {
      return fs.readFileSync(r.pdfPath);
    } catch {
      return undefined;
    }
  }

  status(id: string): StatusChange | undefined {
    return this.statuses.get(id);
  }

  setStatus(change: StatusChange): void {
    if (this.statusFile) fs.appendFileSync(this.statusFile, JSON.stringify(change) + '\n');
    this.statuses.set(change.id, change);
  }

  private add(r: ProviderRecord): void {
    this.list.push(r);
    this.byId.set(r.id, r);
    if (r.idempotencyKey) this.byIdempotencyKey.set(`${r.provider}:${r.idempotencyKey}`, r);
  }

  private forDisk(r: ProviderRecord): ProviderRecord {
    if (!r.pdfPath || !this.dataDir) return r;
    return { ...r, pdfPath: path.relative(this.dataDir, r.pdfPath) };
  }
}

/** Reads a JSONL file, skipping a torn or corrupt line, and makes sure the file ends with a newline. */
function readJsonLines(file: string): unknown[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  if (text.length > 0 && !text.endsWith('\n')) fs.appendFileSync(file, '\n');
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line torn by a kill during append: the request it belonged to was never answered
    }
  }
  return out;
}
