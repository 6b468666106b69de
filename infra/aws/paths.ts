import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, derived from this file's location (never from the current directory). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const repoPath = (...segments: string[]): string => path.join(REPO_ROOT, ...segments);

/** The journey definition: the single source of truth for the state machine on AWS and locally. */
export const JOURNEY_ASL_PATH = repoPath('state-machines', 'journey.asl.json');
