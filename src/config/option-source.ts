import { quoteValue } from './config-error.js';
import { schema, type OptionName } from './schema.js';

/** Where an option's value came from, so an error can point at what the user wrote. */
export type OptionSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly raw: unknown }
  | { readonly kind: 'env'; readonly variable: string; readonly raw: string }
  /** `raw` is null for a bare boolean flag (`-json`). */
  | { readonly kind: 'flag'; readonly flag: string; readonly raw: string | null };

/** Names a setting as the user wrote it: `-bin 0`, `PENG_BIN=0`, `bin 0 (config file peng.yaml)`, `bin 16 (default)`. */
export function describeSetting(name: OptionName, source: OptionSource): string {
  const hidden = schema[name].sensitive === true;
  const show = (raw: unknown): string => (hidden ? '[hidden]' : quoteValue(raw));
  switch (source.kind) {
    case 'flag':
      return source.raw === null ? source.flag : `${source.flag} ${show(source.raw)}`;
    case 'env':
      return `${source.variable}=${show(source.raw)}`;
    case 'file':
      return `${name} ${show(source.raw)} (config file ${quoteValue(source.file)})`;
    case 'default':
      return `${name} ${show(schema[name].default)} (default)`;
  }
}
