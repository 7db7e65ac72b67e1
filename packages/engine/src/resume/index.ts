/** Resume data: the store interface, the codec, and the check of a record against the files on disk. */
export { planResume, type ResumePlan, SPOT_CHECK_PIECES } from './resume-check.js';
export {
  decodeResumeData,
  encodeResumeData,
  RESUME_DATA_VERSION,
  type ResumeData,
  type ResumeFileState,
} from './resume-data.js';
export { ResumeError, type ResumeErrorCode } from './resume-error.js';
export type { ResumeStore } from './resume-store.js';
export { resumedMetadata } from './resumed-metadata.js';
