/**
 * Lines held until `flush`, which hands them to `write` in one call, in the order they came. The
 * caller decides when to flush; an empty batch writes nothing.
 */
export const createLineBatch = (write: (text: string) => void) => {
  let lines: string[] = []
  return {
    add(line: string): void {
      lines.push(line)
    },
    flush(): void {
      if (lines.length === 0) return
      const text = lines.length === 1 ? lines[0]! : lines.join('')
      // Emptied before writing: a write that throws must not send the same lines twice.
      lines = []
      write(text)
    },
  }
}
