// The reference token ids: encodes texts with @lenml/tokenizers (a JavaScript port of Hugging
// Face tokenizers, fetched by scripts/fetch-tokenizers.sh) from a tokenizer.json and the
// tokenizer_config.json beside it, without adding special tokens.
//
//   node reference_ids.mjs --engine <dist/main.mjs> --tokenizer <tokenizer.json> --in <texts.json>
//        [--out <ids.json>] [--bench-seconds <s>]
//
// <texts.json> is a JSON array of strings. Without --bench-seconds it writes a JSON array with
// one array of ids per text (to --out, else stdout). With --bench-seconds it encodes every text
// once to warm up, then encodes them all repeatedly for at least that much CPU time and prints
// {"bytes": <UTF-8 bytes per round>, "rounds": n, "seconds": s, "mb_per_s": x}.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

function options(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}' (expected --name value pairs)`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const needed of ["engine", "tokenizer", "in"]) {
    if (!out[needed]) throw new Error(`--${needed} is required`);
  }
  return out;
}

async function main() {
  const opt = options(process.argv.slice(2));
  const { TokenizerLoader } = await import(pathToFileURL(opt.engine).href);
  const tokenizerJSON = JSON.parse(readFileSync(opt.tokenizer, "utf8"));
  const tokenizerConfig = JSON.parse(
    readFileSync(join(dirname(opt.tokenizer), "tokenizer_config.json"), "utf8"),
  );
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
  const texts = JSON.parse(readFileSync(opt.in, "utf8"));
  const encode = (text) => tokenizer.encode(text, { add_special_tokens: false });

  if (opt["bench-seconds"] === undefined) {
    const ids = JSON.stringify(texts.map(encode));
    if (opt.out) writeFileSync(opt.out, ids);
    else process.stdout.write(ids);
    return;
  }
  const minSeconds = Number(opt["bench-seconds"]);
  const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t, "utf8"), 0);
  texts.forEach(encode);  // warm-up: JIT and the tokenizer's own word cache
  // CPU time (user + system, all of node's threads), not wall time: the machine may be busy.
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  let rounds = 0;
  const start = cpuSeconds();
  let seconds = 0;
  do {
    texts.forEach(encode);
    ++rounds;
    seconds = cpuSeconds() - start;
  } while (seconds < minSeconds);
  const mb_per_s = (bytes * rounds) / seconds / 1e6;
  process.stdout.write(JSON.stringify({ bytes, rounds, seconds, mb_per_s }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`reference_ids: ${err.message}\n`);
  process.exit(1);
});
