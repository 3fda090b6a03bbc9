import { Readable } from 'node:stream'
import type { LightHeaders } from './light-headers.ts'

/** What a body was given as, once extracted: bytes, a stream, or nothing. */
export interface Extracted {
  readonly bytes: Uint8Array | null
  readonly stream: ReadableStream<Uint8Array> | null
  /** The Content-Type the kind implies, set when the headers name none. */
  readonly type: string | null
}

export type LightBodyInit =
  string | ArrayBuffer | ArrayBufferView | URLSearchParams | ReadableStream

/**
 * https://fetch.spec.whatwg.org/#concept-bodyinit-extract, for the kinds credvend sends.
 * Blob and FormData bodies are refused: making them would load undici, which these classes exist
 * to avoid. Bytes are copied, as the standard copies a buffer source.
 */
export const extractBody = (body: LightBodyInit | null | undefined): Extracted => {
  if (body === null || body === undefined) return { bytes: null, stream: null, type: null }
  if (typeof body === 'string') {
    return { bytes: Buffer.from(body, 'utf8'), stream: null, type: 'text/plain;charset=UTF-8' }
  }
  if (body instanceof ArrayBuffer) {
    return { bytes: new Uint8Array(body.slice(0)), stream: null, type: null }
  }
  if (ArrayBuffer.isView(body)) {
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    return { bytes: Uint8Array.from(view), stream: null, type: null }
  }
  if (body instanceof URLSearchParams) {
    return {
      bytes: Buffer.from(body.toString(), 'utf8'),
      stream: null,
      type: 'application/x-www-form-urlencoded;charset=UTF-8',
    }
  }
  if (body instanceof ReadableStream) {
    if (body.locked || isDisturbed(body)) throw new TypeError('Body stream is locked or disturbed')
    return { bytes: null, stream: body, type: null }
  }
  const kind = (body as object)?.constructor?.name
  if (kind === 'Blob' || kind === 'File' || kind === 'FormData') {
    throw new TypeError(`${kind} bodies are not supported by credvend's light Request and Response`)
  }
  return extractBody(String(body))
}

const readAll = async (stream: ReadableStream<Uint8Array>): Promise<Uint8Array> => {
  const chunks: Uint8Array[] = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (!(value instanceof Uint8Array)) throw new TypeError('Body stream chunk is not a Uint8Array')
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

const decoder = new TextDecoder()

/** Whether a stream has been read from or cancelled; Node's check works on web streams too. */
const isDisturbed = (stream: ReadableStream): boolean =>
  Readable.isDisturbed(stream as unknown as NodeJS.ReadableStream)

/**
 * The body half shared by `LightRequest` and `LightResponse`: read once, as text, JSON or bytes.
 * A body held as bytes stays bytes until someone asks for `body`; only then is a ReadableStream
 * made, so a request whose stream nobody touches never loads Node's web streams.
 */
export abstract class LightBody {
  #bytes: Uint8Array | null
  #stream: ReadableStream<Uint8Array> | null
  #used = false
  abstract readonly headers: LightHeaders

  protected constructor(extracted: Extracted) {
    this.#bytes = extracted.bytes
    this.#stream = extracted.stream
  }

  /** True when there is a body at all: the FC adapter and Hono ask before reading. */
  protected get hasBody(): boolean {
    return this.#bytes !== null || this.#stream !== null
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === null && this.#bytes !== null) {
      const bytes = this.#bytes
      this.#stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes)
          controller.close()
        },
      })
    }
    return this.#stream
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== null && isDisturbed(this.#stream))
  }

  /** Hands the body to a new Request or Response, leaving this one used. */
  protected takeBody(): Extracted {
    if (this.bodyUsed || this.#stream?.locked) throw new TypeError('Body is unusable')
    const taken = { bytes: this.#bytes, stream: this.#stream, type: null }
    if (this.hasBody) this.#used = true
    return taken
  }

  /** Gives a just-made clone the body `cloneBody()` returned. */
  protected adoptBody(extracted: Extracted): void {
    this.#bytes = extracted.bytes
    this.#stream = extracted.stream
  }

  /** A copy for `clone()`: bytes are shared (never written), a stream is teed. */
  protected cloneBody(): Extracted {
    if (this.bodyUsed || this.#stream?.locked) throw new TypeError('Body is unusable')
    if (this.#stream === null) return { bytes: this.#bytes, stream: null, type: null }
    const [mine, theirs] = this.#stream.tee()
    this.#stream = mine
    return { bytes: null, stream: theirs, type: null }
  }

  async #consume(): Promise<Uint8Array> {
    if (this.bodyUsed || this.#stream?.locked) throw new TypeError('Body is unusable')
    this.#used = true
    if (this.#stream !== null) return readAll(this.#stream)
    return this.#bytes ?? new Uint8Array(0)
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#consume()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  async bytes(): Promise<Uint8Array> {
    return Uint8Array.from(await this.#consume())
  }

  async text(): Promise<string> {
    return decoder.decode(await this.#consume())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async blob(): Promise<Blob> {
    const bytes = await this.#consume()
    return new Blob([bytes as Uint8Array<ArrayBuffer>], {
      type: this.headers.get('content-type') ?? '',
    })
  }

  async formData(): Promise<FormData> {
    throw new TypeError("formData() is not supported by credvend's light Request and Response")
  }
}
