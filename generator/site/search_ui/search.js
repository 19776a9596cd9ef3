// The site's search box. The plugin indexes the site with Pagefind, bundles per
// language (pagefind/zh/, pagefind/en/; a language of many pages has more: zh-2, …);
// this script asks both languages, so that any page finds circulars in either,
// and shows the results in a dialog.
// Nothing is downloaded before the dialog opens; a search then fetches only the
// index chunks and result fragments it needs.
(() => {
  "use strict";
  const script = document.currentScript;
  const root = new URL("../../", script.src); // assets/search/search.js → the site's root
  const bundles = new URL("pagefind/", root);
  const PAGE = 10; // results shown at a time: each needs its fragment downloaded

  const LABELS = {
    zh: {
      open: "搜索",
      title: "搜索公文",
      label: "搜索词语或文号",
      placeholder: "词语或文号，如 建会率、川工发〔2024〕12号",
      close: "关闭搜索",
      searching: "正在搜索…",
      none: "没有找到相关内容",
      found: (n) => `找到 ${n} 条结果`,
      more: "显示更多结果",
      failed: "搜索暂时无法使用",
    },
    en: {
      open: "Search",
      title: "Search the circulars",
      label: "Words or a document number",
      placeholder: "Words or a document number, e.g. deadline, No. 12",
      close: "Close search",
      searching: "Searching…",
      none: "Nothing found",
      found: (n) => (n === 1 ? "1 result" : `${n} results`),
      more: "More results",
      failed: "Search is not available",
    },
  };
  // The page's language: an English circular's page is in English on a Chinese site.
  const uiLang = document.documentElement.lang.toLowerCase().startsWith("zh") ? "zh" : "en";
  const t = LABELS[uiLang];

  // Chinese is indexed character by character (generator/site/search.py, the same
  // ranges): a query's Chinese is looked up as a phrase of characters, so that
  // 找准问题 finds exactly those four characters in a row, wherever they stand.
  const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]/u;
  const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{2ffff}]/u;
  // Brackets and CJK punctuation become spaces: Pagefind would drop them from a
  // query's words, and 〔2024〕12号 would become 202412 号.
  const PUNCTUATION = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65[\]()]/gu;
  const apart = (text) => text.replace(PUNCTUATION, " ").replace(new RegExp(HAN.source, "gu"), " $& ");
  // What to ask each index: every part of the query holding Chinese is a phrase
  // a page must hold (Pagefind gives all pages holding a phrase the same score, so
  // they are ranked by its characters looked up as words), the other words
  // together; a page must match every part.
  const lookups = (query) => {
    const parts = query.split(/[\s\u3000]+/).filter((part) => /[\p{L}\p{N}]/u.test(part));
    const others = parts.filter((part) => !HAN.test(part)).join(" ");
    return [
      ...parts
        .filter((part) => HAN.test(part))
        .map((part) => apart(part).replace(/\s+/g, " ").trim())
        .map((words) => ({ find: `"${words}"`, rank: words })),
      ...(others ? [{ find: others, rank: null }] : []),
    ];
  };
  // The pages of one index matching every lookup, with their scores summed.
  const matching = async (engine, asks) => {
    const answers = await Promise.all(
      asks.map(async ({ find, rank }) => {
        const hits = (await engine.search(find)).results;
        const scores = rank && new Map((await engine.search(rank)).results.map((r) => [r.id, r.score]));
        return new Map(hits.map((r) => [r.id, { result: r, score: scores ? (scores.get(r.id) ?? 0) : r.score }]));
      }),
    );
    const [first, ...rest] = answers;
    return [...first.values()]
      .filter(({ result }) => rest.every((found) => found.has(result.id)))
      .map(({ result, score }) => ({
        result,
        score: rest.reduce((sum, found) => sum + found.get(result.id).score, score),
      }));
  };

  let engines = null;
  const load = () => {
    engines ??= (async () => {
      const response = await fetch(new URL("languages.json", bundles));
      if (!response.ok) throw new Error(`${response.url}: ${response.status}`);
      // the bundles, a language's in order: zh, zh-2, …, en, … (generator/site/search.py)
      const names = await response.json();
      const languageOf = (name) => name.split("-")[0];
      const languages = [...new Set(names.map(languageOf))];
      return Promise.all(
        languages.map(async (language) => {
          const [first, ...others] = names.filter((name) => languageOf(name) === language);
          // Each language's own pagefind.js: a copy of the module keeps its own
          // WebAssembly and worker; two languages in one would share (and break) them.
          const pagefind = await import(new URL(`${first}/pagefind.js`, bundles).href);
          const options = { baseUrl: root.pathname }; // results link to pages under the site's root
          const engine = pagefind.createInstance({ basePath: new URL(`${first}/`, bundles).href, ...options });
          await engine.init();
          // the language's other bundles searched by the same instance, with its WebAssembly
          for (const other of others) await engine.mergeIndex(new URL(`${other}/`, bundles).href, options);
          return { language, engine };
        }),
      );
    })();
    return engines;
  };

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  };
  const ICON =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 ' +
    '6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg>';

  // the header's button, and the dialog it opens
  const opener = element("button", {
    type: "button",
    class: "md-header__button circulars-search-open",
    "aria-haspopup": "dialog",
    "aria-label": t.open, // the text beside the icon is hidden on narrow screens
    lang: uiLang,
  });
  opener.innerHTML = ICON;
  opener.append(element("span", { class: "circulars-search-open__label" }, t.open));

  const input = element("input", {
    id: "circulars-search-input",
    type: "search",
    autocomplete: "off",
    spellcheck: "false",
    enterkeyhint: "search",
    placeholder: t.placeholder,
  });
  const form = element(
    "form",
    { class: "circulars-search__form", role: "search" },
    element("label", { for: "circulars-search-input", class: "circulars-search__label" }, t.label),
    input,
  );
  const close = element("button", { type: "button", class: "circulars-search__close", "aria-label": t.close }, "×");
  const status = element("p", { class: "circulars-search__status", role: "status" });
  const list = element("ol", { class: "circulars-search__results" });
  const more = element("button", { type: "button", class: "circulars-search__more", hidden: "" }, t.more);
  const dialog = element(
    "dialog",
    { class: "circulars-search md-typeset", "aria-labelledby": "circulars-search-title", lang: uiLang },
    element(
      "div",
      { class: "circulars-search__bar" },
      element("h2", { id: "circulars-search-title", class: "circulars-search__title" }, t.title),
      close,
    ),
    form,
    status,
    list,
    more,
  );

  // An excerpt from Pagefind is HTML with <mark>s: keep the text and the marks only,
  // and close up the spaces the index put around Chinese characters.
  const excerpt = (html) => {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const letters = []; // [letter, marked]
    for (const node of parsed.body.childNodes) {
      for (const letter of node.textContent) letters.push([letter, node.nodeName === "MARK"]);
    }
    const kept = [];
    for (let i = 0; i < letters.length; i++) {
      if (!/\s/.test(letters[i][0])) {
        kept.push(letters[i]);
        continue;
      }
      let next = i;
      while (next < letters.length && /\s/.test(letters[next][0])) next++;
      const before = kept.at(-1)?.[0];
      const after = letters[next]?.[0];
      if (before && after && !CJK.test(before) && !CJK.test(after)) kept.push([" ", false]);
      i = next - 1;
    }
    const paragraph = element("p", { class: "circulars-search__excerpt" });
    for (let i = 0; i < kept.length; ) {
      let j = i;
      while (j < kept.length && kept[j][1] === kept[i][1]) j++;
      const text = kept.slice(i, j).map(([letter]) => letter).join("");
      paragraph.append(kept[i][1] ? element("mark", {}, text) : text);
      i = j;
    }
    return paragraph;
  };

  let latest = 0; // the newest query: older answers arriving late are dropped
  const show = async (results, from, asked) => {
    const shown = await Promise.all(results.slice(from, from + PAGE).map((result) => result.data()));
    if (asked !== latest) return from;
    for (const data of shown) {
      const link = element("a", { href: new URL(data.url, root).href });
      if (data.meta.number) link.append(element("span", { class: "circulars-search__number" }, data.meta.number), " ");
      link.append(data.meta.title || data.url);
      list.append(element("li", {}, link, excerpt(data.excerpt || "")));
    }
    more.hidden = from + PAGE >= results.length;
    return from + PAGE;
  };

  let results = [];
  let next = 0;
  const search = async () => {
    const asked = ++latest;
    const asks = lookups(input.value);
    if (!asks.length) {
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      return;
    }
    try {
      const found = await Promise.all(
        (await load()).map(async ({ language, engine }) =>
          (await matching(engine, asks)).map((hit) => ({ ...hit, language })),
        ),
      );
      if (asked !== latest) return;
      // Scores from two indexes compare only roughly: a query in one script
      // lists the pages in that language first.
      const han = /\p{Script=Han}/u.test(input.value);
      const latin = /\p{Script=Latin}/u.test(input.value);
      const preferred = han === latin ? null : han ? "zh" : "en";
      results = found
        .flat()
        .sort((a, b) => (b.language === preferred) - (a.language === preferred) || b.score - a.score)
        .map(({ result }) => result);
      list.replaceChildren();
      next = await show(results, 0, asked);
      if (asked !== latest) return;
      status.textContent = results.length ? t.found(results.length) : t.none;
    } catch (error) {
      if (asked !== latest) return;
      status.textContent = t.failed;
      console.error("search:", error);
    }
  };

  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    status.textContent = input.value.trim() ? t.searching : "";
    timer = setTimeout(search, 150);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
  more.addEventListener("click", async () => {
    const first = list.children.length;
    next = await show(results, next, latest);
    list.children[first]?.querySelector("a")?.focus();
  });
  close.addEventListener("click", () => dialog.close());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") dialog.close(); // not only clear the box, as a search box would
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  const open = () => {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    load().catch(() => {}); // fetch the index's entry while the reader types
  };
  opener.addEventListener("click", open);
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || event.key === "s")) {
      event.preventDefault();
      open();
    }
  });

  const header = document.querySelector(".md-header__inner");
  if (header) header.insertBefore(opener, header.querySelector(".md-header__source"));
  document.body.append(dialog);
})();
