// The local demo page's script: sign in, vend through credvend, upload with ali-oss.
import { createStsRefresher } from '/demo/oss-sts-refresher.js'

const $ = (id) => document.getElementById(id)
const api = new URLSearchParams(location.search).get('api') ?? ''
let refresher
let client

const show = (text, outcome) => {
  $('status').textContent = text
  $('status').className = outcome ?? ''
  $('status').dataset.outcome = outcome ?? ''
}

const vend = (token) => async () => {
  const response = await fetch(`${api}/v1/credentials/demo-upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  })
  const body = await response.json()
  if (!response.ok) throw new Error(`${body.Code}: ${body.Message}`)
  return body
}

const refreshListing = async () => {
  const { Prefix } = refresher.current()
  const result = await client.list({ prefix: Prefix, 'max-keys': 100 })
  $('listing').replaceChildren(
    ...(result.objects ?? []).map((o) =>
      Object.assign(document.createElement('li'), { textContent: `${o.name} (${o.size} bytes)` }),
    ),
  )
}

$('login').addEventListener('click', async () => {
  try {
    refresher?.stop()
    const user = $('user').value
    const login = await fetch('/demo/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    })
    const { token } = await login.json()
    refresher = createStsRefresher({ fetchCredentials: vend(token) })
    // ali-oss sends virtual-hosted requests (bucket.localhost), which browsers resolve to loopback.
    client = new OSS(await refresher.ossOptions())
    const { Prefix, Bucket, Expiration } = refresher.current()
    $('who').textContent = `signed in as ${user}`
    $('key').value = `${Prefix}hello.txt`
    $('upload').disabled = false
    show(
      `Signed in as ${user}. Uploads go to ${Bucket}/${Prefix}; credentials valid until ${Expiration}.`,
      'ok',
    )
    await refreshListing()
  } catch (error) {
    show(`sign-in failed: ${error.message}`, 'failed')
  }
})

$('upload').addEventListener('click', async () => {
  const key = $('key').value
  const chosen = $('file').files[0]
  const file =
    chosen ??
    new File([`hello from the credvend demo, ${new Date().toISOString()}\n`], 'hello.txt', {
      type: 'text/plain',
    })
  show(`uploading ${key} …`)
  try {
    const result = $('multipart').checked
      ? await client.multipartUpload(key, file, { partSize: 100 * 1024, parallel: 3 })
      : await client.put(key, file)
    const etag = result.etag || result.res?.headers?.etag || ''
    show(`uploaded ${key} (${file.size} bytes, ETag ${etag})`, 'ok')
    await refreshListing()
  } catch (error) {
    show(`upload of ${key} failed: ${error.code ?? error.name}: ${error.message}`, 'failed')
  }
})
