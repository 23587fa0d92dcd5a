// URLs in messages lose their user-info (`http://user:pass@host` -> `http://***@host`): it is a credential.

/** `scheme://` + user-info + `@`, anywhere in a text; the user-info stops at the first `/ ? #` or space. */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi;

/** Replaces the user-info of every URL in `text` with `***`; text without one is returned unchanged. */
export function redactUrl(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}
