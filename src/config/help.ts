import { formats } from './formats.js';
import { optionNames, schema, type OptionName } from './schema.js';

const WIDTH = 80;
const DOC_INDENT = '        ';

/** The `--help` text, generated from the schema: every flag with its forms, env variable, default and doc. */
export function helpText(): string {
  const lines = [
    'peng: detects port scans from SYN packets, with port bitmaps and their entropy per time frame.',
    '',
    'Usage:',
    "  peng [flags]               live capture on the default route's interface (or -network)",
    '  peng replay FILE [flags]   replay a capture file (pcap or pcapng, gzip-compressed or not)',
    '',
    'A flag takes one or two dashes and its value as "-flag value" or "-flag=value";',
    'a boolean flag stands alone (-json) or takes "=true" or "=false".',
    'Every flag but the actions (help, version, interfaces) can also be set by its',
    'PENG_* environment variable or in a --config file (JSON or YAML, keys as the',
    'flag names, see config/peng.yaml).',
    'Precedence: defaults < config file < environment < flags.',
    '',
    'Flags:',
  ];
  for (const name of optionNames) {
    const placeholder = formats[schema[name].format].placeholder;
    const forms = flagForms(name).join(', ') + (placeholder === '' ? '' : ` ${placeholder}`);
    lines.push(`  ${forms}`);
    const variable = schema[name].env;
    const facts = variable === undefined ? `(command line only, default ${defaultText(name)})` : `(env ${variable}, default ${defaultText(name)})`;
    lines.push(...wrap(`${schema[name].doc} ${facts}`, WIDTH - DOC_INDENT.length).map((line) => DOC_INDENT + line));
  }
  lines.push('', 'Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error.');
  return `${lines.join('\n')}\n`;
}

/** The ways to write an option's flag; --help also answers to -h. */
export function flagForms(name: OptionName): string[] {
  return name === 'help' ? ['-h', '-help', '--help'] : [`-${name}`, `--${name}`];
}

/** An option's default as a user would write it ('1m', '4MiB', 'empty' for '' and []). */
export function defaultText(name: OptionName): string {
  const value: unknown = schema[name].default;
  if (value === '' || (Array.isArray(value) && value.length === 0)) return 'empty';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Splits text into lines of at most `width` characters at spaces (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
