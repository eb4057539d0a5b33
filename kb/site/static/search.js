// Search page: a small UI over Pagefind's JS API (the bundle Pagefind wrote to <site>/pagefind/).
// Relative to this script, so the site works from any folder of any static host.
const root = new URL("../", import.meta.url);
const FILTERS = [
  ["product", "Product"], ["release", "Release"], ["category", "Category"],
  ["status", "Status kind"], ["verification", "Verification"],
];
const PAGE = 20;
const form = document.getElementById("search");
const input = document.getElementById("search-q");
const box = document.getElementById("filters");
const status = document.getElementById("search-status");
const list = document.getElementById("results");
let pagefind = null;
let generation = 0;

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

// Pagefind excerpts are HTML with <mark> around hits. Copy only text and <mark> across, so no
// article text can ever become markup here, whether or not the excerpt was escaped.
function safeExcerpt(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeName === "MARK") { const m = el("mark"); walk(child, m); into.append(m); }
      else walk(child, into);
    }
  };
  walk(tpl.content, out);
  return out;
}

function selected() {
  const chosen = {};
  for (const cb of box.querySelectorAll("input[type=checkbox]:checked")) {
    (chosen[cb.dataset.filter] ||= []).push(cb.value);
  }
  const filters = {};
  for (const [k, values] of Object.entries(chosen)) filters[k] = { any: values };
  return filters;
}

function renderFilters(available, wanted) {
  box.replaceChildren();
  FILTERS.forEach(([key, label], i) => {
    const values = available[key];
    if (!values || !Object.keys(values).length) return;
    const set = el("fieldset");
    set.append(el("legend", {}, label));
    Object.keys(values).sort().forEach((value, j) => {
      const id = `f-${i}-${j}`;
      const cb = el("input", { type: "checkbox", id, value });
      cb.dataset.filter = key;
      if ((wanted[key] || []).includes(value)) cb.checked = true;
      cb.addEventListener("change", run);
      const lab = el("label", { for: id });
      lab.append(cb, ` ${value} `, el("span", { class: "n" }, `(${values[value]})`));
      set.append(lab);
    });
    box.append(set);
  });
}

function syncUrl(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [k, v] of Object.entries(filters)) for (const value of v.any) params.append(k, value);
  const url = `${location.pathname}${params.toString() ? "?" + params : ""}`;
  history.replaceState(null, "", url);
}

async function run(event) {
  if (event) event.preventDefault();
  if (!pagefind) return;
  const mine = ++generation;
  const query = input.value.trim();
  const filters = selected();
  syncUrl(query, filters);
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    status.textContent = "Type a word, an article id (Q254893) or an event id (4120).";
    return;
  }
  status.textContent = "Searching…";
  const search = await pagefind.search(query || null, { filters });
  if (mine !== generation) return;
  const shown = await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
  if (mine !== generation) return;
  list.replaceChildren();
  for (const data of shown) {
    const li = el("li");
    const a = el("a", { href: data.url });
    const id = data.meta.id || "";
    a.append(el("span", { class: "id" }, id), ` ${data.meta.title || data.url}`);
    li.append(a);
    const p = el("p", { class: "excerpt" });
    p.append(safeExcerpt(data.excerpt || ""));
    li.append(p);
    list.append(li);
  }
  const n = search.results.length;
  status.textContent = n === 0 ? "No articles found." :
    `${n} article${n === 1 ? "" : "s"} found${n > PAGE ? `, the first ${PAGE} shown` : ""}.`;
}

async function start() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  const wanted = {};
  for (const [key] of FILTERS) if (params.getAll(key).length) wanted[key] = params.getAll(key);
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ baseUrl: root.pathname });
    await pagefind.init();
    renderFilters(await pagefind.filters(), wanted);
  } catch (error) {
    status.textContent = "The search index is missing: build the site without --no-search.";
    return;
  }
  form.addEventListener("submit", run);
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  document.body.dataset.searchReady = "1";
  run();
}

start();
