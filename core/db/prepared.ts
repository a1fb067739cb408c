// Hot queries are built and prepared once per open database, not on every call: drizzle's query
// building costs more than SQLite's lookup itself.

export const preparedPer = <D extends object, Q>(build: (db: D) => Q): ((db: D) => Q) => {
  const cache = new WeakMap<D, Q>();
  return (db) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
};
