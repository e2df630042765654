/* sitegen search page: query in the URL, results as you type, facets, highlighted snippets.
 *
 * Data files are scripts that call sitegenSearchData(key, data); they are added as <script>
 * tags (never fetch/XHR) so search works from file://. Everything shown is inserted as text.
 */
(function () {
  "use strict";

  var core = window.sitegenSearchCore;
  var PAGE_SIZE = 10, FACET_LIMIT = 8, SNIPPET_WORDS = 32, DEBOUNCE_MS = 180;
  var script = document.currentScript;
  var manifestHref = script.getAttribute("data-manifest");
  var dataRoot = manifestHref.slice(0, manifestHref.length - "manifest.js".length);

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var errorBox = document.getElementById("search-error");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var facetBox = document.getElementById("search-facets");
  var facetGroups = document.getElementById("search-facet-groups");
  var headerInput = document.getElementById("site-search");

  var received = Object.create(null), loading = Object.create(null);
  var state = { manifest: null, facets: null, lexicon: null, shards: new Map(), lengths: new Map(),
                index: null, indexSize: -1,
                indexHasAll: false, indexTerm: core.makeIndexTerm(lunr), run: 0, results: [], shown: 0 };

  window.sitegenSearchData = function (key, data) { received[key] = data; };

  /* Load search/<key>.js once; resolves with the data it hands over. */
  function load(key) {
    if (!loading[key]) {
      loading[key] = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        var version = state.manifest ? "?v=" + encodeURIComponent(state.manifest.build) : "";
        tag.src = dataRoot + key + ".js" + version;
        tag.charset = "utf-8";
        tag.async = true;
        tag.onload = function () {
          tag.remove();
          if (key in received) {
            resolve(received[key]);
          } else {
            reject(new Error("search file " + key + ".js holds no data"));
          }
        };
        tag.onerror = function () {
          tag.remove();
          delete loading[key];
          reject(new Error("search file " + key + ".js could not be loaded"));
        };
        document.head.appendChild(tag);
      });
    }
    return loading[key];
  }

  var ready = load("manifest").then(function (manifest) { state.manifest = manifest; });
  // Facets load beside the query's shards; results only wait for them when a filter is chosen.
  var facetsReady = ready.then(function () { return load("facets"); }).then(function (facets) {
    state.facets = core.decodeFacets(facets);
  });
  facetsReady.catch(function () {});  // reported by the search that needs them

  /* The TokenSet of every term, for fuzzy and leading-* queries (loaded once, when needed). */
  function lexicon(plan) {
    if (plan.patterns.length === 0) {
      return Promise.resolve(null);
    }
    return load("lexicon").then(function (text) {
      state.lexicon = state.lexicon || core.lexiconTokenSet(lunr, text);
      return state.lexicon;
    });
  }

  /* The query and chosen facet values, from the page's URL. */
  function readUrl() {
    var params = new URLSearchParams(window.location.search), chosen = {};
    params.forEach(function (value, key) {
      if (key !== "q" && value) {
        chosen[key] = value;
      }
    });
    return { q: params.get("q") || "", chosen: chosen };
  }

  function writeUrl(q, chosen, push) {
    var params = new URLSearchParams();
    if (q) {
      params.set("q", q);
    }
    Object.keys(chosen).forEach(function (key) { params.set(key, chosen[key]); });
    var url = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    try {
      window.history[push ? "pushState" : "replaceState"](null, "", url);
    } catch (error) {
      // Some browsers refuse history changes on file:// pages; the search still runs.
    }
  }

  /* A lunr index of every shard loaded so far; a query of only -terms needs every document. */
  function index(negated) {
    if (state.indexSize !== state.shards.size || (negated && !state.indexHasAll)) {
      var shards = Array.from(state.shards.values());
      state.index = lunr.Index.load(core.buildIndex(state.manifest, shards, state.lengths, negated));
      state.indexSize = state.shards.size;
      state.indexHasAll = negated;
    }
    return state.index;
  }

  /* Load the shards numbered `numbers`, and the body lengths of their documents. */
  function loadShards(numbers) {
    return Promise.all(numbers.map(function (n) {
      return load(core.shardKey(state.manifest, n)).then(function (data) {
        return Promise.all(core.lengthBlocksFor(state.manifest, [data]).map(function (block) {
          return load("lengths/" + block).then(function (lengths) { state.lengths.set(block, lengths); });
        })).then(function () { state.shards.set(n, data); });  // usable once its lengths are here
      });
    }));
  }

  /* Run the query in `current` and show its results; older runs give way to newer ones. */
  function search(current) {
    var run = ++state.run;
    var q = current.q.trim();
    showError("");
    if (!q) {
      state.results = [];
      clearResults();
      status.textContent = "";
      return Promise.resolve();
    }
    var text = core.foldText(q), plan, results;
    var isFiltered = Object.keys(current.chosen).length > 0;
    return ready.then(function () {
      try {
        plan = core.planQuery(lunr, state.manifest, text);
      } catch (error) {
        if (error instanceof lunr.QueryParseError) {
          return malformed(error);
        }
        throw error;
      }
      return lexicon(plan).then(function (tokens) {
        return loadShards(core.shardsFor(lunr, state.manifest, plan, tokens));
      }).then(function () {
        return isFiltered ? facetsReady : null;
      }).then(function () {
        if (run !== state.run) {
          return;
        }
        results = core.newestFirstOnTies(index(plan.negated).search(text));
        var refs = results.map(function (r) { return Number(r.ref); });
        var kept = isFiltered ? core.filterByFacets(state.facets, refs, current.chosen) : refs;
        var byRef = new Map(results.map(function (r) { return [Number(r.ref), r]; }));
        var found = kept.map(function (ref) { return byRef.get(ref); });
        var first = found.slice(0, PAGE_SIZE);
        // The old results stay until the new ones can be shown whole: no empty list between
        // keystrokes, and the count is announced only when the results are there to reach.
        return loadDocs(first).then(function (docs) {
          if (run !== state.run) {
            return;
          }
          state.results = found;
          state.shown = 0;
          clearResults();
          appendResults(first, docs, false);
          announce(found.length);
          facetsReady.then(function () {
            if (run === state.run) {
              showFacets(core.countFacets(state.facets, kept, FACET_LIMIT), current.chosen);
            }
          });
        });
      });
    }).catch(function (error) {
      if (run === state.run) {
        showError("Search is unavailable: " + error.message + ". Rebuilding the site may fix this.");
        status.textContent = "Search is unavailable.";
      }
    });
  }

  function malformed(error) {
    state.results = [];
    clearResults();
    status.textContent = "That search could not be understood.";
    showError("That search could not be understood (" + error.message + "). Try plain words, " +
              "or check the use of : ~ ^ * + and -.");
  }

  function announce(count) {
    status.textContent = count === 0 ? "No results." : count === 1 ? "1 result." : count + " results.";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function clearResults() {
    list.textContent = "";
    more.hidden = true;
    facetBox.hidden = true;
    facetGroups.textContent = "";
  }

  function loadDocs(results) {
    return Promise.all(results.map(function (r) { return load("docs/" + r.ref); }));
  }

  /* Show the next page of results (loading their documents first). */
  function showMore(run) {
    var page = state.results.slice(state.shown, state.shown + PAGE_SIZE);
    return loadDocs(page).then(function (docs) {
      if (run === state.run) {
        appendResults(page, docs, true);
      }
    });
  }

  /* Append `results` (with their loaded `docs`) to the list; `moveFocus` puts the keyboard on
     the first of them. */
  function appendResults(results, docs, moveFocus) {
    var first = null;
    docs.forEach(function (doc, i) {
      var item = resultItem(doc, results[i]);
      first = first || item;
      list.appendChild(item);
    });
    state.shown += results.length;
    more.hidden = state.shown >= state.results.length;
    if (moveFocus && first) {
      first.querySelector("a").focus();
    }
  }

  function resultItem(doc, result) {
    var terms = core.matchedTerms(result);
    var item = element("li", "search-result");
    var heading = item.appendChild(element("h2", "card-title"));
    var link = heading.appendChild(element("a"));
    link.setAttribute("href", doc.url);
    appendMarked(link, core.markText(doc.title, terms, state.indexTerm));
    var meta = item.appendChild(element("p", "meta"));
    var time = meta.appendChild(element("time", "", doc.dateText));
    time.setAttribute("datetime", doc.date);
    if (doc.source) {
      meta.appendChild(document.createTextNode(" · " + doc.source));
    }
    var pieces = core.snippet(doc.text, terms, state.indexTerm, SNIPPET_WORDS) ||
                 core.snippet(doc.summary, terms, state.indexTerm, SNIPPET_WORDS);
    var excerpt = item.appendChild(element("p", "snippet"));
    appendMarked(excerpt, pieces || [{ text: doc.summary, isMatch: false }]);
    appendTerms(item, doc.terms);
    return item;
  }

  function appendTerms(item, terms) {
    var groups = new Map();
    terms.forEach(function (term) {
      if (!groups.has(term[0])) {
        groups.set(term[0], []);
      }
      groups.get(term[0]).push(term);
    });
    groups.forEach(function (members, key) {
      var line = item.appendChild(element("p", "result-terms"));
      line.appendChild(element("span", "result-terms-label", (state.manifest.labels[key] || key) + ": "));
      members.forEach(function (term, i) {
        if (i > 0) {
          line.appendChild(document.createTextNode(", "));
        }
        var link = line.appendChild(element("a", "", term[1]));
        link.setAttribute("href", term[2]);
      });
    });
  }

  function appendMarked(parent, pieces) {
    pieces.forEach(function (piece) {
      parent.appendChild(piece.isMatch ? element("mark", "", piece.text) : document.createTextNode(piece.text));
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function showFacets(counted, chosen) {
    facetGroups.textContent = "";
    counted.forEach(function (facet) {
      var values = facet.values.slice();
      var active = chosen[facet.key];
      if (active && !values.some(function (v) { return v.name === active; })) {
        values.unshift({ name: active, count: 0 });
      }
      if (values.length === 0) {
        return;
      }
      var group = facetGroups.appendChild(element("section", "facet"));
      group.appendChild(element("h3", "", facet.plural));
      var ul = group.appendChild(element("ul"));
      values.forEach(function (value) {
        var button = ul.appendChild(element("li")).appendChild(element("button", "facet-value"));
        button.type = "button";
        button.setAttribute("aria-pressed", String(value.name === active));
        button.appendChild(element("span", "facet-name", value.name));
        button.appendChild(element("span", "facet-count", String(value.count)));
        button.appendChild(element("span", "visually-hidden", value.count === 1 ? " result" : " results"));
        button.addEventListener("click", function () { toggleFacet(facet.key, value.name); });
      });
    });
    facetBox.hidden = facetGroups.childNodes.length === 0;
  }

  function toggleFacet(key, name) {
    var current = readUrl();
    current.q = input.value;
    if (current.chosen[key] === name) {
      delete current.chosen[key];
    } else {
      current.chosen[key] = name;
    }
    writeUrl(current.q, current.chosen, true);
    search(current).then(function () {
      var again = facetGroups.querySelector("[aria-pressed=true]") || input;
      again.focus();
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var current = { q: input.value, chosen: readUrl().chosen };
      writeUrl(current.q, current.chosen, false);
      search(current);
    }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var current = { q: input.value, chosen: readUrl().chosen };
    writeUrl(current.q, current.chosen, true);
    search(current);
  });
  more.addEventListener("click", function () { showMore(state.run); });
  window.addEventListener("popstate", start);

  function start() {
    var current = readUrl();
    input.value = current.q;
    if (headerInput) {
      headerInput.value = current.q;
    }
    return search(current);
  }

  core.registerFold(lunr);
  start();
})();
