/* sitegen search core: folding, query planning, shard merging, facets and snippets.
 *
 * No DOM here, so Node tests load the same file as the browser (`require`) with lunr.js.
 * The index ships in term shards of raw counts (see sitegen/search_shards.py); `buildIndex`
 * turns the shards a query needs, with the field lengths of their documents, back into lunr's
 * serialised index for `lunr.Index.load`, working out BM25 weights as lunr.py's builder does.
 * lunr scores a document field by dot(query vector, field vector) / |query vector|, and a
 * query vector only has entries for the query's own terms, so a field vector cut down to those
 * terms scores and ranks exactly like the whole one; its terms only need numbers in lunr's
 * order (by first use), not lunr's numbers themselves.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.sitegenSearchCore = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* Accent and case folding: the same steps as sitegen/search_index.py `fold_text`/`fold_term`. */
  var DROPPED = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\ud800-\udfff]+/g;
  var LETTERS = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th",
    "ı": "i", "ħ": "h", "ŧ": "t", "ŀ": "l", "ς": "σ", "’": "'", "‘": "'", "ʼ": "'"
  };
  var LETTER_RE = /[ßæœøđðłþıħŧŀς’‘ʼ]/g;
  var EDGES = /^[^\p{L}\p{M}\p{N}]+|[^\p{L}\p{M}\p{N}]+$/gu;
  var SEPARATOR = /[ \t\n\r\f\v\u00a0-]+/;  // lunr's tokenizer separators (sitegen/search_index.py)
  var FOLD_LABEL = "sitegenFold";

  function foldText(text) {
    return text.toLowerCase().normalize("NFKD").replace(DROPPED, "")
      .replace(LETTER_RE, function (c) { return LETTERS[c]; });
  }

  function foldTerm(token) {
    var term = foldText(token).replace(EDGES, "");
    if (term.slice(-2) === "'s") {
      term = term.slice(0, -2).replace(EDGES, "");
    }
    return term;
  }

  /* Register the folding pipeline function; must run before lunr.Index.load. */
  function registerFold(lunr) {
    if (lunr.Pipeline.registeredFunctions[FOLD_LABEL]) {
      return;
    }
    var fold = function (token) {
      token.update(function (text) { return foldTerm(text); });
      return token.toString() === "" ? undefined : token;
    };
    lunr.Pipeline.registerFunction(fold, FOLD_LABEL);
  }

  /* The index term a word of text becomes (null when the build pipeline drops it). */
  function makeIndexTerm(lunr) {
    var cache = new Map();
    return function (word) {
      var key = word.toLowerCase();
      if (cache.has(key)) {
        return cache.get(key);
      }
      var folded = foldTerm(key), term = null;
      if (folded && lunr.stopWordFilter(new lunr.Token(folded)) !== undefined) {
        term = lunr.stemmer(new lunr.Token(folded)).toString();
      }
      cache.set(key, term);
      return term;
    };
  }

  /* Which terms a query needs: exact terms, prefixes (`pol*`), and patterns (fuzzy `~`,
   * leading `*`) that must be expanded against the lexicon. Throws lunr.QueryParseError. */
  function planQuery(lunr, manifest, queryString) {
    var query = new lunr.Query(manifest.fields);
    new lunr.QueryParser(queryString, query).parse();
    var pipeline = lunr.Pipeline.load(manifest.pipeline);
    var plan = { terms: [], prefixes: [], patterns: [], negated: query.isNegated() };
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var star = term.indexOf("*");
        if (clause.editDistance) {
          plan.patterns.push({ term: term, editDistance: clause.editDistance });
        } else if (star === 0) {
          plan.patterns.push({ term: term });
        } else if (star > 0) {
          plan.prefixes.push(term.slice(0, star));
        } else {
          plan.terms.push(term);
        }
      });
    });
    return plan;
  }

  /* Decode the front-coded lexicon (sitegen/search_shards.py `lexicon_text`) into a TokenSet. */
  function lexiconTokenSet(lunr, text) {
    var terms = [], previous = "";
    if (text) {
      text.split("\n").forEach(function (line) {
        previous = previous.slice(0, line.charCodeAt(0) - 48) + line.slice(1);
        terms.push(previous);
      });
    }
    return lunr.TokenSet.fromArray(terms);
  }

  /* The index terms a pattern matches, found as lunr.Index.query would find them. */
  function expandPattern(lunr, lexicon, pattern) {
    return lexicon.intersect(lunr.TokenSet.fromClause(pattern)).toArray();
  }

  /* The data file key of shard i. */
  function shardKey(manifest, i) {
    return "terms/" + manifest.shardFiles[i];
  }

  /* The shard holding `term`: shard i covers terms from shards[i] up to shards[i + 1]. */
  function shardOf(shards, term) {
    var low = 0, high = shards.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (shards[middle] <= term) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return low;
  }

  /* Numbers of the shards a plan needs, ascending; `lexicon` (a TokenSet of every term) is
   * needed when the plan has patterns. */
  function shardsFor(lunr, manifest, plan, lexicon) {
    var shards = manifest.shards, needed = new Set();
    plan.terms.forEach(function (term) { needed.add(shardOf(shards, term)); });
    plan.prefixes.forEach(function (prefix) {
      // Terms are folded, so they hold no character above U+FFFF; prefix + U+FFFF ends the range.
      var last = shardOf(shards, prefix + "\uffff");
      for (var i = shardOf(shards, prefix); i <= last; i++) {
        needed.add(i);
      }
    });
    plan.patterns.forEach(function (pattern) {
      expandPattern(lunr, lexicon, pattern).forEach(function (term) { needed.add(shardOf(shards, term)); });
    });
    return Array.from(needed).sort(function (a, b) { return a - b; });
  }

  /* Numbers of the length files holding the documents of `shardData` (decoded shards) in the
   * fields whose lengths are in files (the body), ascending. */
  function lengthBlocksFor(manifest, shardData) {
    var blocks = new Set(), size = manifest.lengthBlock;
    var inFiles = manifest.lengthFiles.map(function (name) { return manifest.fields.indexOf(name); });
    shardData.forEach(function (entries) {
      entries.forEach(function (entry) {
        for (var j = 0; j < inFiles.length; j++) {
          var encoded = entry[2 + inFiles[j]], half = encoded.length / 2, doc = 0;
          for (var i = 0; i < half; i++) {
            doc += encoded[i];
            blocks.add(Math.floor(doc / size));
          }
        }
      });
    });
    return Array.from(blocks).sort(function (a, b) { return a - b; });
  }

  /* lunr's serialised index holding every term of `shardData` (a list of decoded shards);
   * `lengths` maps each length file's number to its data (every file `lengthBlocksFor` names).
   * With `allDocuments`, every document gets its (possibly empty) field vectors, in lunr's
   * order, as a query of only -prohibited terms ranks every document. */
  function buildIndex(manifest, shardData, lengths, allDocuments) {
    var fields = manifest.fields, fieldCount = fields.length;
    var entries = [];
    shardData.forEach(function (shard) { Array.prototype.push.apply(entries, shard); });
    // lunr numbers terms by first use; these terms keep that order among themselves.
    var byFirstUse = entries.slice().sort(function (a, b) { return a[1] - b[1]; });
    var numbers = new Map();
    byFirstUse.forEach(function (entry, number) { numbers.set(entry[0], number); });
    var weigh = weigher(manifest, lengths);
    var inverted = [], vectors = new Map();
    entries.forEach(function (entry) {
      var term = entry[0], number = numbers.get(term), posting = {};
      var idf = weigh.idf(entry);
      for (var f = 0; f < fieldCount; f++) {
        posting[fields[f]] = decodePostings(entry[2 + f], number, f, fieldCount, idf, weigh, vectors);
      }
      posting._index = number;
      inverted.push([term, posting]);
    });
    inverted.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var keys = allDocuments ? allVectorKeys(manifest.docCount, fieldCount)
      : Array.from(vectors.keys()).sort(function (a, b) { return a - b; });
    var fieldVectors = keys.map(function (key) {
      var pairs = vectors.get(key) || [];
      pairs.sort(function (a, b) { return a[0] - b[0]; });
      var flat = [];
      pairs.forEach(function (pair) { flat.push(pair[0], pair[1]); });
      return [fields[key % fieldCount] + "/" + Math.floor(key / fieldCount), flat];
    });
    return { version: manifest.version, fields: fields, fieldVectors: fieldVectors,
             invertedIndex: inverted, pipeline: manifest.pipeline };
  }

  /* lunr's BM25 weights (lunr.py builder `_create_field_vectors`), in its floating-point steps:
   * idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / average)) + tf) * boost, rounded to
   * three decimals as Python rounds. A term's document frequency is summed over fields. */
  function weigher(manifest, lengths) {
    var count = manifest.docCount, k1 = manifest.k1, b = manifest.b, size = manifest.lengthBlock;
    var averages = manifest.lengthSums.map(function (sum) { return sum / count; });
    var inFile = manifest.fields.map(function (name) { return manifest.lengthFiles.indexOf(name); });
    var parts = function (f) {  // numbers per posting: document delta, count (and length unless in files)
      return inFile[f] < 0 ? 3 : 2;
    };
    return {
      parts: parts,
      idf: function (entry) {
        var frequency = 0;
        for (var f = 2; f < entry.length; f++) {
          frequency += entry[f].length / parts(f - 2);
        }
        return Math.log(1 + Math.abs((count - frequency + 0.5) / (frequency + 0.5)));
      },
      /* The length of document `doc`'s field f: `given` in the posting, or from its length file. */
      length: function (given, doc, f) {
        if (inFile[f] < 0) {
          return given;
        }
        var block = lengths.get(Math.floor(doc / size));
        if (block === undefined) {
          throw new Error("search file lengths/" + Math.floor(doc / size) + ".js is not loaded");
        }
        return block[inFile[f]][doc % size];
      },
      weight: function (idf, tf, length, f) {
        var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / averages[f])) + tf);
        return roundThousandths(score * manifest.boosts[f]) / 1000;
      }
    };
  }

  /* `score` x 1000 rounded to an integer as Python's round(score, 3) x 1000 rounds: on the
   * double's exact value, halves to even. Math.round(score x 1000) agrees but next to a
   * half-thousandth; there toFixed rounds the exact value, and a double exactly halfway is an
   * odd number of sixteenths (1000 = 8 x 125). Scores are never negative. */
  function roundThousandths(score) {
    var scaled = score * 1000, rounded = Math.round(scaled);
    if (Math.abs(scaled - rounded) > 0.4999) {
      var sixteenths = score * 16;
      if (Number.isInteger(sixteenths) && sixteenths % 2 === 1) {
        rounded = Math.floor(scaled) % 2 === 0 ? Math.floor(scaled) : Math.floor(scaled) + 1;
      } else {
        rounded = Math.round(Number(score.toFixed(3)) * 1000);
      }
    }
    return rounded;
  }

  /* One field's postings `[document deltas..., counts..., (lengths...)]` -> {ref: {}}, adding
   * each (term number, weight) to the document's field vector. */
  function decodePostings(encoded, number, f, fieldCount, idf, weigh, vectors) {
    var refs = {}, count = encoded.length / weigh.parts(f), doc = 0;
    for (var i = 0; i < count; i++) {
      doc += encoded[i];
      refs[doc] = {};
      var key = doc * fieldCount + f, pairs = vectors.get(key);
      if (pairs === undefined) {
        vectors.set(key, pairs = []);
      }
      var length = weigh.length(encoded[2 * count + i], doc, f);
      pairs.push([number, weigh.weight(idf, encoded[count + i], length, f)]);
    }
    return refs;
  }

  function allVectorKeys(docCount, fieldCount) {
    var keys = new Array(docCount * fieldCount);
    for (var i = 0; i < keys.length; i++) {
      keys[i] = i;
    }
    return keys;
  }

  /* Facets: decode each value's document list into a Set once. */
  function decodeFacets(facets) {
    return facets.map(function (facet) {
      return {
        key: facet.key, label: facet.label, plural: facet.plural,
        values: facet.values.map(function (value) {
          var docs = new Set(), doc = 0;
          value[1].forEach(function (delta) { doc += delta; docs.add(doc); });
          return { name: value[0], docs: docs };
        })
      };
    });
  }

  /* lunr's results, best score first as lunr ranks them, and equal scores newest first:
   * documents are numbered oldest first, and lunr leaves equal scores in the order it met the
   * documents (mostly by number). Sorted in place and returned. */
  function newestFirstOnTies(results) {
    return results.sort(function (a, b) { return b.score - a.score || Number(b.ref) - Number(a.ref); });
  }

  /* Results (document numbers, ranked) kept by every chosen facet value ({facet key: name}). */
  function filterByFacets(facets, refs, chosen) {
    var sets = [];
    facets.forEach(function (facet) {
      if (Object.prototype.hasOwnProperty.call(chosen, facet.key)) {
        var value = facet.values.find(function (v) { return v.name === chosen[facet.key]; });
        sets.push(value ? value.docs : new Set());
      }
    });
    return refs.filter(function (ref) {
      return sets.every(function (docs) { return docs.has(ref); });
    });
  }

  /* Per facet, the values found in `refs` (distinct document numbers) with their counts, most
   * first (then A-Z). Each value is counted from the smaller side, its documents or the
   * results: checking every result against every value took 9 s for a word in 38,000 of
   * 100,000 articles. */
  function countFacets(facets, refs, limit) {
    var found = new Set(refs);
    return facets.map(function (facet) {
      var counted = [];
      facet.values.forEach(function (value) {
        var count = 0;
        if (value.docs.size < refs.length) {
          value.docs.forEach(function (doc) {
            if (found.has(doc)) {
              count++;
            }
          });
        } else {
          for (var i = 0; i < refs.length; i++) {
            if (value.docs.has(refs[i])) {
              count++;
            }
          }
        }
        if (count > 0) {
          counted.push({ name: value.name, count: count });
        }
      });
      counted.sort(function (a, b) { return b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); });
      return { key: facet.key, label: facet.label, plural: facet.plural,
               total: counted.length, values: counted.slice(0, limit) };
    });
  }

  /* Split `text` into [{text, isMatch}] pieces, marking words whose index term is in `terms`. */
  function markText(text, terms, indexTerm) {
    var pieces = [], word = /[^ \t\n\r\f\v\u00a0-]+/g, last = 0, found;
    while ((found = word.exec(text)) !== null) {
      var core = found[0].match(/^([^\p{L}\p{M}\p{N}]*)(.*?)((?:['’‘ʼ][sS])?[^\p{L}\p{M}\p{N}]*)$/u);
      var term = indexTerm(found[0]);
      if (term !== null && terms.has(term) && core[2]) {
        var start = found.index + core[1].length;
        pieces.push({ text: text.slice(last, start), isMatch: false });
        pieces.push({ text: core[2], isMatch: true });
        last = start + core[2].length;
      }
    }
    pieces.push({ text: text.slice(last), isMatch: false });
    return pieces.filter(function (piece) { return piece.text !== ""; });
  }

  /* About `size` words of `text` around the densest run of matches, as marked pieces,
   * with an ellipsis where text was cut. Null when nothing in `text` matches. */
  function snippet(text, terms, indexTerm, size) {
    var words = text.split(/\s+/).filter(Boolean);
    var hits = words.map(function (word) { return hasMatch(word, terms, indexTerm) ? 1 : 0; });
    var best = -1, bestCount = 0, count = 0;
    for (var i = 0; i < words.length; i++) {
      count += hits[i] - (i >= size ? hits[i - size] : 0);
      if (count > bestCount) {
        bestCount = count;
        best = i;
      }
    }
    if (bestCount === 0) {
      return null;
    }
    var end = Math.min(words.length, Math.max(best + 1 + Math.floor(size / 4), size));
    var start = Math.max(0, end - size);
    var pieces = markText(words.slice(start, end).join(" "), terms, indexTerm);
    if (start > 0) {
      pieces.unshift({ text: "… ", isMatch: false });
    }
    if (end < words.length) {
      pieces.push({ text: " …", isMatch: false });
    }
    return pieces;
  }

  function hasMatch(word, terms, indexTerm) {
    return word.split(SEPARATOR).some(function (part) {
      var term = part ? indexTerm(part) : null;
      return term !== null && terms.has(term);
    });
  }

  /* The index terms a result matched (keys of lunr's match metadata). */
  function matchedTerms(result) {
    return new Set(Object.keys(result.matchData.metadata));
  }

  return {
    FOLD_LABEL: FOLD_LABEL, foldText: foldText, foldTerm: foldTerm, registerFold: registerFold,
    makeIndexTerm: makeIndexTerm, planQuery: planQuery, lexiconTokenSet: lexiconTokenSet,
    expandPattern: expandPattern, shardKey: shardKey, shardOf: shardOf, shardsFor: shardsFor,
    lengthBlocksFor: lengthBlocksFor, buildIndex: buildIndex, roundThousandths: roundThousandths,
    decodeFacets: decodeFacets, newestFirstOnTies: newestFirstOnTies, filterByFacets: filterByFacets,
    countFacets: countFacets, markText: markText, snippet: snippet, matchedTerms: matchedTerms
  };
});
