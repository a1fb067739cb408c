// A migration imported `with { type: "file" }`: its path, on disk or inside the compiled binary.
declare module "*.sql" {
  const path: string;
  export default path;
}
