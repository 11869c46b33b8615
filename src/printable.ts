// Untrusted text made safe to print or log: control, bidi and other invisible characters shown as escapes.

/**
 * Characters that must never reach a terminal or a log raw: C0 and C1 controls and DEL (`\p{Cc}`: ESC starts
 * terminal escapes, U+009B is CSI to xterm), format characters (`\p{Cf}`: the bidi overrides U+202A–U+202E and
 * isolates U+2066–U+2069, zero-width characters, tag characters), line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** `\u001b`; a character beyond U+FFFF as its two UTF-16 escapes, so that the result inside a JSON string stays valid JSON. */
function escapeChar(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/**
 * `text` with every control, format (bidi, zero-width) and separator character written as a visible escape
 * (`\u001b`, `\u202e`; a tag character as `\udb40\udc41`), so that bytes from a stream can go into a message, a log
 * line or a terminal. `keepLineFeeds`: for output whose line breaks are the printer's own, composed from parts
 * already made printable or JSON-encoded (JSON text never holds a raw line break).
 *
 * @example
 * printable("evil\x1b]52;c;...\x07"); // "evil\\u001b]52;c;...\\u0007"
 * printable("-- ok\n-- \u202eevil", true); // "-- ok\n-- \\u202eevil"
 */
export function printable(text: string, keepLineFeeds = false): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, (char) => (keepLineFeeds && char === "\n" ? char : escapeChar(char))) : text;
}
