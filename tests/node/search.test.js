// Search index checks with the pinned lunr.js: `node --test tests/node/` (run by `make test`).
//
// search_fixture.py builds a corpus with sitegen (small term shards) and with plain lunr.py.
// Here lunr.js must (1) rank lunr.py's own index as lunr.py does, (2) rank sitegen's shards,
// merged for each query by search-core.js, exactly as the whole index, and (3) fold and stem
// every word as the Python side does.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
const { execFileSync } = require("node:child_process");

const REPO = path.resolve(__dirname, "..", "..");
const lunr = require(path.join(REPO, "node_modules", "lunr", "lunr.js"));
const core = require(path.join(REPO, "templates", "static", "search-core.js"));
const QUERIES = require("./search_queries.json");

function python() {
  if (process.env.SITEGEN_PYTHON) return process.env.SITEGEN_PYTHON;
  const venv = path.join(REPO, ".venv", "bin", "python");
  return fs.existsSync(venv) ? venv : "python3";
}

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "sitegen-search-"));
execFileSync(python(), [path.join(__dirname, "search_fixture.py"), OUT], { stdio: "inherit" });
test.after(() => fs.rmSync(OUT, { recursive: true, force: true }));

core.registerFold(lunr);
const readJson = (name) => JSON.parse(fs.readFileSync(path.join(OUT, name), "utf8"));

// Run a data file as the browser would, catching what it hands to sitegenSearchData (copied
// out of the script's own realm, so deepStrictEqual compares plain arrays).
function loadData(key) {
  let received;
  const code = fs.readFileSync(path.join(OUT, "files", "search", key + ".js"), "utf8");
  vm.runInNewContext(code, { sitegenSearchData: (name, data) => { assert.equal(name, key); received = JSON.stringify(data); } });
  return JSON.parse(received);
}

const manifest = loadData("manifest");
const allShards = manifest.shards.map((_, i) => loadData(core.shardKey(manifest, i)));
const allLengths = new Map(Array.from({ length: Math.ceil(manifest.docCount / manifest.lengthBlock) },
  (_, block) => [block, loadData("lengths/" + block)]));
const lexicon = core.lexiconTokenSet(lunr, loadData("lexicon"));
const whole = lunr.Index.load(core.buildIndex(manifest, allShards, allLengths, true));

// The length files a set of shards needs, and only those (buildIndex throws on a missing one).
function lengthsFor(shards) {
  return new Map(core.lengthBlocksFor(manifest, shards).map((block) => [block, allLengths.get(block)]));
}

function ranked(index, query) {
  return index.search(query).map((r) => [r.ref, r.score, Object.keys(r.matchData.metadata).sort()]);
}

test("the corpus is cut into many shards, its lengths into several files", () => {
  assert.ok(manifest.shards.length >= 10, `only ${manifest.shards.length} shards`);
  assert.ok(allLengths.size >= 3, `only ${allLengths.size} length files`);
  assert.equal(manifest.docCount, readJson("lunrpy.json").fieldVectors.length / manifest.fields.length);
});

test("lunr.js ranks lunr.py's index exactly as lunr.py does", () => {
  const index = lunr.Index.load(readJson("lunrpy.json"));
  const expected = readJson("lunrpy_results.json");
  let nonEmpty = 0;
  for (const query of QUERIES.lunr) {
    const got = index.search(query);
    nonEmpty += got.length > 0;
    assert.deepEqual(got.map((r) => r.ref), expected[query].map((r) => r[0]), `refs for ${query}`);
    got.forEach((r, i) => assert.ok(Math.abs(r.score - expected[query][i][1]) < 1e-9, `score for ${query}`));
  }
  assert.ok(nonEmpty > QUERIES.lunr.length / 2, "most queries should find something");
});

test("sitegen's merged shards serialise to lunr.py's index", () => {
  const merged = core.buildIndex(manifest, allShards, allLengths, true);
  assert.deepEqual(JSON.parse(JSON.stringify(merged)), readJson("lunrpy.json"));
});

test("the lexicon holds every term, in order", () => {
  const terms = allShards.flatMap((entries) => entries.map((entry) => entry[0]));
  assert.deepEqual(lexicon.toArray().sort(), terms.slice().sort());
  assert.deepEqual(terms, terms.slice().sort());
});

test("each query loads only the shards it needs and ranks as the whole index", () => {
  for (const query of QUERIES.lunr) {
    const plan = core.planQuery(lunr, manifest, query);
    const needed = core.shardsFor(lunr, manifest, plan, lexicon);
    const shards = needed.map((i) => allShards[i]);
    const index = lunr.Index.load(core.buildIndex(manifest, shards, lengthsFor(shards), plan.negated));
    assert.deepEqual(ranked(index, query), ranked(whole, query), `results for ${query}`);
    assert.ok(needed.length < manifest.shards.length || /[~*]/.test(query), `${query} loads every shard`);
    if (plan.patterns.length === 0 && plan.prefixes.length === 0) {
      assert.ok(needed.length <= plan.terms.length, `${query} loads ${needed.length} shards`);
    }
  }
});

test("a query's shards need only the length files of their documents", () => {
  const body = 2 + manifest.fields.indexOf("body");
  const entries = allShards.flat().filter((entry) => entry[body].length > 0);
  const rare = entries.reduce((best, entry) => (entry[body].length < best[body].length ? entry : best));
  const shards = [[rare]];
  const blocks = core.lengthBlocksFor(manifest, shards);
  assert.ok(blocks.length >= 1 && blocks.length < allLengths.size, `blocks ${blocks}`);
  const missing = new Map(lengthsFor(shards));
  missing.delete(blocks[0]);
  assert.throws(() => core.buildIndex(manifest, shards, missing, false), /lengths\/\d+\.js is not loaded/);
});

test("weights round to three decimals as Python rounds them, next to a half-thousandth too", () => {
  const roundings = readJson("analysis.json").roundings;
  let naiveWrong = 0;
  for (const [score, thousandths] of roundings) {
    assert.equal(core.roundThousandths(score), thousandths, `rounding ${score}`);
    naiveWrong += Math.round(score * 1000) !== thousandths;
  }
  assert.ok(naiveWrong > 0, "the samples should include scores Math.round(score * 1000) gets wrong");
});

test("prefix, fuzzy and leading-wildcard queries plan the right shards", () => {
  const exact = core.planQuery(lunr, manifest, "police");
  assert.deepEqual(exact.terms, ["polic"]);
  assert.equal(core.shardsFor(lunr, manifest, exact, null).length, 1);
  const fuzzy = core.planQuery(lunr, manifest, "polic~1");
  assert.deepEqual(fuzzy.patterns, [{ term: "polic", editDistance: 1 }]);
  const expanded = core.expandPattern(lunr, lexicon, fuzzy.patterns[0]);
  assert.ok(expanded.includes("polic"), expanded.join());
  assert.ok(core.shardsFor(lunr, manifest, fuzzy, lexicon).length < manifest.shards.length / 2);
  assert.deepEqual(core.planQuery(lunr, manifest, "*ing").patterns, [{ term: "*ing" }]);
  const prefix = core.planQuery(lunr, manifest, "s*");
  assert.deepEqual(prefix.prefixes, ["s"]);
  assert.ok(core.shardsFor(lunr, manifest, prefix, null).length >= 2, "terms starting with s span shards");
});

test("malformed queries throw lunr.QueryParseError", () => {
  for (const query of ["title:", "foo~~", "+", "nosuchfield:x", "foo^"]) {
    assert.throws(() => core.planQuery(lunr, manifest, query), lunr.QueryParseError, query);
  }
});

test("accent-folded queries find accented names", () => {
  const refsOf = (q) => whole.search(q).map((r) => r.ref).sort();
  assert.ok(refsOf("Societe").length > 0);
  assert.deepEqual(refsOf("Societe"), refsOf("Société"));
  assert.ok(refsOf("zoe").length > 0);
  assert.deepEqual(refsOf("zoe"), refsOf("Zoë"));
});

test("folding and stemming match the Python pipeline word for word", () => {
  const analysis = readJson("analysis.json");
  for (const [word, stem] of Object.entries(analysis.stems)) {
    assert.equal(lunr.stemmer(new lunr.Token(word)).toString(), stem, `stem of ${word}`);
  }
  for (const [token, folded] of Object.entries(analysis.folds)) {
    assert.equal(core.foldTerm(token), folded, `fold of ${JSON.stringify(token)}`);
  }
});

test("snippets mark the matched words only", () => {
  const indexTerm = core.makeIndexTerm(lunr);
  const terms = new Set(["rowley", "polic"]);
  const pieces = core.snippet("Mark Rowley’s officers said police-led patrols would rise.", terms, indexTerm, 30);
  assert.deepEqual(pieces.filter((p) => p.isMatch).map((p) => p.text), ["Rowley", "police"]);
  assert.equal(pieces.map((p) => p.text).join(""), "Mark Rowley’s officers said police-led patrols would rise.");
  assert.equal(core.snippet("Nothing here.", terms, indexTerm, 30), null);
});

test("facets count and filter the current results", () => {
  const facets = core.decodeFacets(loadData("facets"));
  const all = Array.from({ length: manifest.docCount }, (_, i) => i);
  const people = facets.find((f) => f.key === "people");
  const rowley = people.values.find((v) => v.name === "Mark Rowley");
  const kept = core.filterByFacets(facets, all, { people: "Mark Rowley" });
  assert.ok(kept.length >= 2 && kept.length === rowley.docs.size);
  const counted = core.countFacets(facets, kept, 50).find((f) => f.key === "people");
  assert.equal(counted.values.find((v) => v.name === "Mark Rowley").count, kept.length);
  assert.deepEqual(core.filterByFacets(facets, all, { people: "No Such Person" }), []);
});

test("facet counts are the number of results holding each value, however many results", () => {
  const facets = core.decodeFacets(loadData("facets"));
  const obvious = (refs) => facets.map((facet) => facet.values
    .map((value) => ({ name: value.name, count: refs.filter((ref) => value.docs.has(ref)).length }))
    .filter((value) => value.count > 0)
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  const all = Array.from({ length: manifest.docCount }, (_, i) => i);
  // All documents, every third one, and two: results larger and smaller than every value.
  for (const refs of [all, all.filter((i) => i % 3 === 0).reverse(), [all.length - 1, 0]]) {
    const counted = core.countFacets(facets, refs, 1000);
    assert.deepEqual(counted.map((facet) => facet.values), obvious(refs));
    assert.ok(counted.some((facet) => facet.values.length > 0));
  }
});

test("equal scores rank the newest article (documents are numbered oldest first) first", () => {
  const ranked = core.newestFirstOnTies([{ ref: "2", score: 1 }, { ref: "10", score: 2 }, { ref: "7", score: 1 },
    { ref: "3", score: 1.5 }, { ref: "9", score: 1 }]);
  assert.deepEqual(ranked.map((r) => r.ref), ["10", "3", "9", "7", "2"]);
});
