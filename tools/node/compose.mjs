// Composes subgraph SDLs into a Federation v2 supergraph with @theguild/federation-composition.
// Input on stdin: JSON [{"name": ..., "url": ..., "sdl": ...}]. Output on stdout: the supergraph SDL.
// On composition errors: the messages on stderr, exit status 1.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const services = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
);
if (result.errors && result.errors.length > 0) {
  for (const e of result.errors) process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
