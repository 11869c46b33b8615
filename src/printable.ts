// Untrusted text made safe to print or log: control, bidi and other invisible characters shown as escapes.

/**
 * Characters that must never reach a terminal or a log raw: C0 and C1 controls and DEL (`\p{Cc}`: ESC starts
 * terminal escapes, U+009B is CSI to xterm), format characters (`\p{Cf}`: the bidi overrides U+202A–U+202E and
 * isolates U+2066–U+2069, zero-width characters, tag characters), line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
/** The same, less LF: for text whose line breaks are the printer's own (a multi-line summary). */
const UNSAFE_BUT_LF = /[\0-\x09\x0b-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** `\u001b`; a character beyond U+FFFF as its two UTF-16 escapes, so that the result inside a JSON string stays valid JSON. */
function escapeChar(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/**
 * `text` with every control, format (bidi, zero-width) and separator character written as a visible escape
 * (`\u001b`, `\u202e`; a tag character as `\udb40\udc41`), so that bytes from a stream can go into a message, a log line or a terminal.
 *
 * @example
 * printable("evil\x1b]52;c;...\x07"); // "evil\\u001b]52;c;...\\u0007"
 */
export function printable(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

/**
 * Like {@link printable}, but line feeds stay: for output whose lines the printer composed itself from parts
 * already made printable or JSON-encoded (JSON text never holds a raw line break).
 *
 * @example
 * printableLines("-- ok\n-- \u202eevil"); // "-- ok\n-- \\u202eevil"
 */
export function printableLines(text: string): string {
  UNSAFE_BUT_LF.lastIndex = 0;
  return UNSAFE_BUT_LF.test(text) ? text.replace(UNSAFE_BUT_LF, escapeChar) : text;
}
