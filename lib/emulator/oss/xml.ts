/** Escapes text for an XML element or attribute. @internal */
const xmlEscape = (text: string): string =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  )

const unescape = (text: string): string =>
  text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        )
      : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[
          e.toLowerCase()
        ]!,
  )

type XmlValue = string | number | boolean | undefined | XmlNode | readonly XmlNode[]
/** An element's children in order; arrays repeat the element name. @internal */
export interface XmlNode {
  readonly [name: string]: XmlValue | readonly XmlValue[]
}

const render = (name: string, value: XmlValue | readonly XmlValue[]): string => {
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.map((v) => render(name, v as XmlValue)).join('')
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value as XmlNode)
      .map(([k, v]) => render(k, v))
      .join('')}</${name}>`
  return `<${name}>${xmlEscape(String(value))}</${name}>`
}

/** An OSS response document: declaration plus one root element. @internal */
export const xmlDocument = (root: string, body: XmlNode): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, body)}`

/**
 * The `<Part>` list of a CompleteMultipartUpload body — the only XML the emulator reads. Anything
 * that does not have this shape is MalformedXML, as on OSS.
 * @internal
 */
export const parseCompleteParts = (
  xml: string,
): Array<{ partNumber: number; etag: string }> | undefined => {
  const root =
    /^\s*(<\?xml[^>]*\?>)?\s*<CompleteMultipartUpload>([\s\S]*)<\/CompleteMultipartUpload>\s*$/.exec(
      xml,
    )
  if (!root) return undefined
  const parts: Array<{ partNumber: number; etag: string }> = []
  const rest = root[2]!.replace(
    /<Part>\s*<PartNumber>\s*(\d{1,5})\s*<\/PartNumber>\s*<ETag>([^<]*)<\/ETag>\s*<\/Part>/g,
    (_, n: string, etag: string) => {
      parts.push({ partNumber: Number(n), etag: unescape(etag).trim() })
      return ''
    },
  )
  return rest.trim() === '' && parts.length > 0 ? parts : undefined
}
