/**
 * SASLprep (RFC 4013, the stringprep profile SCRAM requires for user names and passwords, RFC 5802
 * §2.2): the same credential typed as composed or decomposed characters, or with a no-break space,
 * gives the same bytes. Strings are prepared as queries (§2.5 of RFC 3454: unassigned code points
 * allowed). The bidirectional rule uses the right-to-left scripts' letters for RFC 3454's table D.1
 * and any other letter for D.2: JavaScript's regular expressions have no Bidi_Class property.
 */
import { InvalidArgumentError } from '../../resilience/errors.ts'

/** RFC 3454 C.1.2: non-ASCII spaces, mapped to U+0020. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu
/** RFC 3454 B.1: characters commonly mapped to nothing. */
// eslint-disable-next-line no-misleading-character-class -- each is a code point of its own (escaped), meant to be removed alone
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu
/** RFC 3454 C.1.2, C.2.1, C.2.2, C.3–C.9: what may not remain after mapping and normalization. */
// One RFC table per line.
// eslint-disable-next-line no-misleading-character-class -- each range or code point stands alone
const PROHIBITED = new RegExp('[' + [
  '\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000', // C.1.2 non-ASCII space
  '\\u0000-\\u001F\\u007F', // C.2.1 ASCII control
  '\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}', // C.2.2
  '\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}', // C.3 private use
  '\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}', // C.4 non-characters
  '\\uD800-\\uDFFF', // C.5 surrogates (lone ones; pairs are one code point here)
  '\\uFFF9-\\uFFFD', // C.6 inappropriate for plain text
  '\\u2FF0-\\u2FFB', // C.7 ideographic description
  '\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E', // C.8 display properties, deprecated
  '\\u{E0001}\\u{E0020}-\\u{E007F}', // C.9 tagging
].join('') + ']', 'u')
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u
const RAND_AL_LETTER = new RegExp(`(?=${RAND_AL.source})\\p{L}`, 'u')
const L_CAT = /\p{L}/u

/** The prepared form of `text`; `what` names it in the error ("SCRAM user name"), never its value. */
export function saslprep (text: string, what: string): string {
  const prepared = text.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC')
  const chars = [...prepared]
  const bad = chars.findIndex((c) => PROHIBITED.test(c))
  if (bad >= 0) {
    throw new InvalidArgumentError(`${what} has character ${bad + 1} (U+${(chars[bad]?.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}), which SASLprep (RFC 4013) prohibits`)
  }
  if (chars.some((c) => RAND_AL_LETTER.test(c))) {
    const leftToRight = chars.some((c) => L_CAT.test(c) && !RAND_AL_LETTER.test(c))
    if (leftToRight || !RAND_AL_LETTER.test(chars[0] ?? '') || !RAND_AL_LETTER.test(chars.at(-1) ?? '')) {
      throw new InvalidArgumentError(`${what} mixes right-to-left and left-to-right text, or does not begin and end with a right-to-left letter, as SASLprep (RFC 4013) requires`)
    }
  }
  return prepared
}
