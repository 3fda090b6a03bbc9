import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { freePort } from './free-port.ts'
import { commandAvailable } from './system-deps.ts'

export const redisAvailable = () => commandAvailable('redis-server')

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/**
 * A real redis-server (Debian's) on 127.0.0.1 and an ephemeral port, nothing persisted, that a
 * test can stop and start again on the same port; with `password`, AUTH is required.
 */
export const startRedisServer = async (options: { password?: string } = {}) => {
  const port = await freePort()
  let child: ChildProcess | undefined
  /** Starts it again after `stop`; a no-op while it runs. */
  const start = async () => {
    if (child && child.exitCode === null) return
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        ...(options.password ? ['--requirepass', options.password] : []),
      ],
      { stdio: 'ignore' },
    )
    for (let i = 0; i < 200 && !(await accepting(port)); i++)
      await new Promise((r) => setTimeout(r, 25))
    if (!(await accepting(port))) throw new Error('redis-server did not start')
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, start, stop }
}
