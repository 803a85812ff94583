/**
 * The anchor for incident 1: creating or updating a connector the way Strimzi's Connect API client
 * does, written from its documented schedule (shared/reference): PUT /connectors/{name}/config,
 * a 409 retried after 200 ms · 2^(n−1) for at most 10 attempts (no jitter, no cap, no deadline),
 * any other failure final. Converging is then polling each connector's status.
 */
const ATTEMPTS = 10

export async function strimziLikePut (urls: string[], name: string, config: Record<string, string>): Promise<boolean> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const url = urls[(attempt - 1) % urls.length] as string
    let status: number
    try {
      const response = await fetch(`${url}/connectors/${name}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      })
      status = response.status
      await response.arrayBuffer()
    } catch {
      // A worker that is gone: Strimzi talks to one service address; here the next worker takes it.
      status = 409
    }
    if (status === 200 || status === 201) return true
    if (status !== 409) return false
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)))
  }
  return false
}
