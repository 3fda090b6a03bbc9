/** A structured log sink: one JSON object per line. Injected, so tests capture every line. @public */
export type LogSink = (entry: Readonly<Record<string, unknown>>) => void

/** Writes nothing: for tools and tests that do not want logs. @public */
export const silentLog: LogSink = () => {}
