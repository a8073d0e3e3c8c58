// The string an installer's QR label carries (docs/console.md): everything a sensor or hub needs to
// join the gateway, scanned by the installer's phone app or the vendor's provisioning tool.
//   anju://provision?id=<deviceId>&secret=<secret>&mqtt=<mqtt[s]://host:port>[&kind=sensor|hub]
// The secret is in it, so the label is as sensitive as the secret: print it, stick it inside the
// device's cover, never photograph it into a chat.

export interface ProvisioningInput { id: string, secret: string, mqttUrl: string, kind: 'sensor' | 'hub' | 'hub-sensor' }

export function provisioningString (p: ProvisioningInput): string {
  const q = new URLSearchParams({ id: p.id, secret: p.secret, mqtt: p.mqttUrl, kind: p.kind })
  return `anju://provision?${q.toString()}`
}

/** The MQTT URL devices use: TLS when the gateway has a certificate, on the host people reach the gateway at. */
export function mqttUrlFor (host: string, mqtt: { port: number, tlsPort: number, tls: boolean }): string {
  // A bare IPv6 literal needs brackets in a URL.
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return mqtt.tls ? `mqtts://${h}:${mqtt.tlsPort}` : `mqtt://${h}:${mqtt.port}`
}
