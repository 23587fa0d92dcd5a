export { Bitmap } from './bitmap.js';
export { binEntropy } from './entropy.js';
export { PortBitmap, defaultPortHash, validateHash, checkShape, MAX_SIZE } from './port-bitmap.js';
export type { PortHash, PortBitmapOptions, BitmapSummary } from './port-bitmap.js';
