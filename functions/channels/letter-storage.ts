/**
 * Where rendered letters are kept (they are financial records: DESIGN §5.12, 7 years). One port, two
 * adapters chosen by configuration: LETTER_BUCKET → S3 (on AWS; the bucket expires objects after 7 years),
 * LETTER_DIR → a folder on disk (the local runtime sets `<dataDir>/letters`).
 *
 * The object key is derived from (case, journey, step), so a retried step overwrites its own unsent PDF
 * instead of leaving a second one (the bucket is versioned, so nothing is lost either way).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../shared/tracer.js';
import type { Correlation } from './port.js';

export interface StoredLetter {
  /** s3://bucket/key or file:///abs/path */
  uri: string;
  key: string;
}

export interface LetterStorage {
  /** `pdf` may be made on demand (lazily rendered letters): storage makes it when it writes */
  put(key: string, pdf: Buffer | (() => Promise<Buffer>), meta?: Record<string, string>): Promise<StoredLetter>;
}

const SAFE = /^[\w.-]+$/;

/** `<caseId>/<journeyNo>-<stepNo>.pdf`; ids are checked so a key can never leave its folder. */
export function letterKey(c: Correlation): string {
  if (!SAFE.test(c.caseId) || c.caseId.startsWith('.')) throw new Error('letter key: unsafe case id');
  return `${c.caseId}/${c.journeyNo}-${c.stepNo}.pdf`;
}

export class S3LetterStorage implements LetterStorage {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = tracer.captureAWSv3Client(new S3Client({})),
  ) {}

  async put(key: string, made: Buffer | (() => Promise<Buffer>), meta: Record<string, string> = {}): Promise<StoredLetter> {
    const pdf = typeof made === 'function' ? await made() : made;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: pdf,
        ContentType: 'application/pdf',
        // ids only (template, case, step): no personal data in object metadata
        Metadata: meta,
      }),
    );
    return { uri: `s3://${this.bucket}/${key}`, key };
  }
}

export class FileLetterStorage implements LetterStorage {
  constructor(private readonly dir: string) {}

  async put(key: string, made: Buffer | (() => Promise<Buffer>)): Promise<StoredLetter> {
    const pdf = typeof made === 'function' ? await made() : made;
    const file = path.resolve(this.dir, key);
    if (!file.startsWith(path.resolve(this.dir) + path.sep)) throw new Error('letter key leaves the letters folder');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // write then rename: a reader never sees half a PDF, a crash never leaves one under the final name
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, pdf);
    await fs.rename(tmp, file);
    return { uri: `file://${file}`, key };
  }
}

/** LETTER_BUCKET (S3) wins over LETTER_DIR (local folder); with neither, letters cannot be sent. */
export function letterStorageFromEnv(env: NodeJS.ProcessEnv = process.env): LetterStorage {
  if (env.LETTER_BUCKET) return new S3LetterStorage(env.LETTER_BUCKET);
  if (env.LETTER_DIR) return new FileLetterStorage(env.LETTER_DIR);
  throw new Error('letter storage is not configured: set LETTER_BUCKET (S3) or LETTER_DIR (local folder)');
}
