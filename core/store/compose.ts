type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void ? I : never

/**
 * One object over a driver's aggregate parts: each part's public methods, bound to the part.
 * Parts keep their helpers in #private members, which are not methods of the result.
 */
export function compose<P extends object[]> (driver: 'sqlite' | 'mongodb', ...parts: P): { driver: 'sqlite' | 'mongodb' } & Intersection<P[number]> {
  const store: Record<string, unknown> = { driver }
  for (const part of parts) {
    for (const [name, property] of Object.entries(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(part)))) {
      if (name === 'constructor' || typeof property.value !== 'function') continue
      if (name in store) throw new Error(`store method ${name} is defined by two parts`)
      store[name] = (property.value as (...args: unknown[]) => unknown).bind(part)
    }
  }
  return store as { driver: 'sqlite' | 'mongodb' } & Intersection<P[number]>
}
