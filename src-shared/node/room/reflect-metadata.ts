// The three functions of the Reflect metadata API that @peculiar/x509 needs through its dependency
// injection container (tsyringe), which refuses to load without them. x509 only registers and
// resolves its own algorithm classes, none of which take constructor parameters, so the metadata is
// never more than absent; a store of metadata by object is all that is asked. Imported for its
// effect, before @peculiar/x509, by certificates.ts only. Where a polyfill is already installed
// (reflect-metadata), it is left alone.
type MetadataTable = Map<unknown, unknown>;
const tables = new WeakMap<object, MetadataTable>();

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: object): void;
  getOwnMetadata(key: unknown, target: object): unknown;
  getMetadata(key: unknown, target: object): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadata>;
if (typeof reflect.getMetadata !== 'function') {
  const metadata: ReflectMetadata = {
    defineMetadata(key, value, target) {
      let table = tables.get(target);
      if (!table) tables.set(target, (table = new Map()));
      table.set(key, value);
    },
    getOwnMetadata(key, target) {
      return tables.get(target)?.get(key);
    },
    getMetadata(key, target) {
      for (let at: object | null = target; at; at = Object.getPrototypeOf(at) as object | null) {
        const table = tables.get(at);
        if (table?.has(key)) return table.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, metadata);
}
